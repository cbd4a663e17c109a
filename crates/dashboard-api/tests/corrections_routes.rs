//! Analysts read comments by theme and sentiment with their evidence, and correct what was
//! read: in process, over the in-memory store, as a service team would use it, with every
//! way a request can be refused.

mod support;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use chrono::{Duration, Utc};
use civicpulse_core::access::{Role, Scope};
use civicpulse_dashboard_api::{router, ApiState};
use civicpulse_store::tables::access_audit::AuditAction;
use civicpulse_store::tables::comment_readings::ANALYST;
use civicpulse_store::tables::feedback_comments::CommentListed;
use civicpulse_testkit::config::token_of;
use serde_json::{json, Value};
use support::{catalog, config, MemoryStore, Tables, BY_MAIL, PASSPORT};
use tower::ServiceExt;
use uuid::Uuid;

const ANALYST_SECRET: &str = "analyst-secret";
const VIEWER_SECRET: &str = "viewer-secret";
const ONTARIO_SECRET: &str = "ontario-analyst-secret";
const ADMIN_SECRET: &str = "admin-secret";
const ONTARIO_SERVICE: &str = "on-birth-certificate";
const MODEL: &str = "9c1e0d5b";

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

/// A comment of `hours_ago`, read by the model with `themes` (scores falling from 0.9) and
/// `sentiment`; no theme and no sentiment: never read.
fn comment(
    n: u128,
    service: &str,
    hours_ago: i64,
    themes: &[&str],
    sentiment: &str,
) -> CommentListed {
    let at = Utc::now() - Duration::hours(hours_ago);
    let read = !sentiment.is_empty();
    CommentListed {
        occurred_at: u32::try_from(at.timestamp()).unwrap(),
        service_id: service.into(),
        channel: "online".into(),
        comment: format!("We waited three hours, comment {n}"),
        event_id: id(n),
        language: if read { "en".into() } else { String::new() },
        themes: themes.iter().map(|t| t.to_string()).collect(),
        scores: (0..themes.len()).map(|i| 0.9 - 0.1 * i as f64).collect(),
        evidence: if read {
            json!([{"theme": themes.first().copied().unwrap_or(""), "phrase": "waited three hours", "start": 3, "end": 21}])
                .to_string()
        } else {
            String::new()
        },
        sentiment: sentiment.into(),
        sentiment_score: if read { 0.8 } else { 0.0 },
        model: if read { MODEL.into() } else { String::new() },
    }
}

fn tables() -> Tables {
    Tables {
        comments: vec![
            comment(
                1,
                PASSPORT,
                1,
                &["waiting-time", "staff-manner"],
                "negative",
            ),
            comment(2, PASSPORT, 2, &["appointments"], "mixed"),
            comment(3, BY_MAIL, 3, &["mail-delivery"], "negative"),
            comment(4, PASSPORT, 4, &["praise"], "positive"),
            comment(5, PASSPORT, 5, &[], ""),
            comment(6, ONTARIO_SERVICE, 6, &["waiting-time"], "negative"),
        ],
        ..Tables::default()
    }
}

fn app_over(store: Arc<MemoryStore>) -> Router {
    let mut config = config();
    let mut ontario = token_of("ontario-team", ONTARIO_SECRET, Role::Analyst);
    ontario.scope = Scope {
        jurisdictions: vec!["CA-ON".into()],
        services: vec![],
    };
    config.dashboard.tokens = vec![
        token_of("service-team", ANALYST_SECRET, Role::Analyst),
        token_of("grafana", VIEWER_SECRET, Role::Viewer),
        token_of("privacy-office", ADMIN_SECRET, Role::Admin),
        ontario,
    ];
    router(ApiState::with_stores(Arc::new(catalog()), &config, store))
}

struct Answer {
    status: StatusCode,
    next_cursor: Option<String>,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }

    /// The error's code and message, after checking the status.
    fn refused(&self, status: StatusCode) -> (String, String) {
        assert_eq!(self.status, status, "{}", self.body);
        let body = self.json();
        (
            body["error"]["code"].as_str().unwrap().to_string(),
            body["error"]["message"].as_str().unwrap().to_string(),
        )
    }
}

async fn send(
    app: &Router,
    method: &str,
    uri: &str,
    secret: Option<&str>,
    body: &str,
    accept: &str,
) -> Answer {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .header("accept", accept);
    if let Some(secret) = secret {
        request = request.header("authorization", format!("Bearer {secret}"));
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::from(body.to_string())).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let next_cursor = response
        .headers()
        .get("x-next-cursor")
        .map(|v| v.to_str().unwrap().to_string());
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24)
        .await
        .unwrap();
    Answer {
        status,
        next_cursor,
        body: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

async fn get(app: &Router, uri: &str) -> Answer {
    send(
        app,
        "GET",
        uri,
        Some(ANALYST_SECRET),
        "",
        "application/json",
    )
    .await
}

async fn correct(app: &Router, event: Uuid, body: Value) -> Answer {
    let uri = format!("/api/v1/feedback/comments/{event}/themes");
    send(
        app,
        "POST",
        &uri,
        Some(ANALYST_SECRET),
        &body.to_string(),
        "application/json",
    )
    .await
}

fn ids(rows: &Value) -> Vec<String> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| r["event_id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn comments_are_listed_by_theme_and_sentiment_with_their_evidence() {
    let app = app_over(Arc::new(MemoryStore::new(tables())));
    let rows = get(
        &app,
        "/api/v1/feedback/comments?service_id=passport-in-person",
    )
    .await
    .json();
    assert_eq!(
        ids(&rows),
        [id(1), id(2), id(4), id(5)].map(|i| i.to_string())
    );
    let first = &rows[0];
    assert_eq!(
        first["themes"],
        json!([{"theme": "waiting-time", "score": 0.9}, {"theme": "staff-manner", "score": 0.8}])
    );
    let evidence = &first["evidence"][0];
    assert_eq!(evidence["phrase"], "waited three hours");
    let text = first["comment"].as_str().unwrap();
    let (start, end) = (
        evidence["start"].as_u64().unwrap() as usize,
        evidence["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&text[start..end], "waited three hours");
    assert_eq!(
        (first["language"].as_str(), first["sentiment"].as_str()),
        (Some("en"), Some("negative"))
    );
    assert_eq!(first["corrected"], false);
    assert_eq!(first["model"], MODEL);
    // Never read: the reading's fields are empty, not invented.
    let unread = &rows[3];
    assert!(
        unread["language"].is_null() && unread["sentiment"].is_null() && unread["model"].is_null(),
        "{unread}"
    );
    assert_eq!(unread["themes"], json!([]));

    // A leaf, and a parent standing for its leaves: `time` covers waiting time and
    // appointments; `neutral` is the stored `mixed`.
    let waiting = get(&app, "/api/v1/feedback/comments?theme=waiting-time")
        .await
        .json();
    assert_eq!(ids(&waiting), [id(1), id(6)].map(|i| i.to_string()));
    let time = get(
        &app,
        "/api/v1/feedback/comments?theme=time&service_id=passport-in-person",
    )
    .await
    .json();
    assert_eq!(ids(&time), [id(1), id(2)].map(|i| i.to_string()));
    let neutral = get(
        &app,
        "/api/v1/feedback/comments?theme=time&sentiment=neutral",
    )
    .await
    .json();
    assert_eq!(ids(&neutral), [id(2).to_string()]);

    // As a spreadsheet: themes and scores joined with `;`, the evidence as JSON.
    let csv = send(
        &app,
        "GET",
        "/api/v1/feedback/comments?theme=staff",
        Some(ANALYST_SECRET),
        "",
        "text/csv",
    )
    .await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    let mut reader = csv::Reader::from_reader(csv.body.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(
        header,
        [
            "occurred_at",
            "service_id",
            "channel",
            "comment",
            "event_id",
            "language",
            "themes",
            "theme_scores",
            "sentiment",
            "sentiment_score",
            "corrected",
            "model",
            "evidence"
        ]
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 1);
    assert_eq!(&records[0][6], "waiting-time;staff-manner");
    assert_eq!(&records[0][7], "0.900;0.800");
    let evidence: Value = serde_json::from_str(&records[0][12]).unwrap();
    assert_eq!(evidence[0]["end"], 21);
}

#[tokio::test]
async fn pages_follow_the_cursor_without_repeating_or_skipping_a_comment() {
    let store = Arc::new(MemoryStore::new(tables()));
    let app = app_over(store.clone());
    let mut seen = Vec::new();
    let mut uri = "/api/v1/feedback/comments?limit=2".to_string();
    loop {
        let page = get(&app, &uri).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        seen.extend(ids(&page.json()));
        // A comment arriving between two pages does not shift the next one.
        store.edit(|t| {
            t.comments
                .push(comment(100 + seen.len() as u128, PASSPORT, 0, &[], ""))
        });
        match page.next_cursor {
            Some(cursor) => uri = format!("/api/v1/feedback/comments?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, [1, 2, 3, 4, 5, 6].map(|n| id(n).to_string()));
    let refused = get(&app, "/api/v1/feedback/comments?cursor=not-ours").await;
    let (code, message) = refused.refused(StatusCode::BAD_REQUEST);
    assert_eq!(code, "bad_parameter");
    assert!(
        message.contains("`cursor`") && message.contains("not a cursor"),
        "{message}"
    );

    // Each page is a read the audit keeps, with what it asked for.
    get(
        &app,
        "/api/v1/feedback/comments?theme=time&sentiment=neutral&limit=5",
    )
    .await;
    let audit = store.tables().audit_entries;
    let last = audit.last().unwrap();
    assert_eq!(last.action, AuditAction::ReadComments);
    assert!(
        last.filter
            .contains("&theme=time&sentiment=mixed&after=&limit=5"),
        "{}",
        last.filter
    );
    // The second page continued after the first page's last comment.
    let paged = &audit[1];
    assert!(
        paged.filter.contains("&after=") && paged.filter.contains(&id(2).to_string()),
        "{}",
        paged.filter
    );
}

#[tokio::test]
async fn a_correction_becomes_the_reading_and_its_trail_keeps_what_it_replaced() {
    let store = Arc::new(MemoryStore::new(tables()));
    let app = app_over(store.clone());
    let answer = correct(
        &app,
        id(1),
        json!({"themes": ["appointments"], "sentiment": "neutral", "note": "about booking, not the queue"}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    let made = answer.json();
    assert_eq!(
        made["themes_before"],
        json!(["waiting-time", "staff-manner"])
    );
    assert_eq!(
        (made["sentiment_before"].as_str(), made["model"].as_str()),
        (Some("negative"), Some(MODEL))
    );
    assert_eq!(made["themes"], json!(["appointments"]));
    assert_eq!(
        (made["sentiment"].as_str(), made["confirmed"].as_bool()),
        (Some("mixed"), Some(false))
    );
    assert_eq!(made["corrected_by"], "service-team");

    // The listing shows the analyst's reading at once: their themes, scored 1, no evidence.
    let rows = get(
        &app,
        "/api/v1/feedback/comments?theme=appointments&service_id=passport-in-person",
    )
    .await
    .json();
    assert_eq!(ids(&rows), [id(1), id(2)].map(|i| i.to_string()));
    let corrected = &rows[0];
    assert_eq!(
        corrected["themes"],
        json!([{"theme": "appointments", "score": 1.0}])
    );
    assert_eq!(corrected["evidence"], json!([]));
    assert_eq!(
        (
            corrected["corrected"].as_bool(),
            corrected["model"].as_str()
        ),
        (Some(true), Some(ANALYST))
    );
    assert_eq!(corrected["sentiment"], "mixed");
    assert!(
        ids(&get(&app, "/api/v1/feedback/comments?theme=waiting-time")
            .await
            .json())
        .iter()
        .all(|e| *e != id(1).to_string())
    );

    // Confirming: the same themes, no sentiment stated (the reading's stays).
    let answer = correct(&app, id(3), json!({"themes": ["mail-delivery"]})).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    assert_eq!(answer.json()["confirmed"], true);
    let tables = store.tables();
    assert_eq!(tables.corrections.len(), 2);
    assert_eq!(
        tables.corrections[1].sentiment, "",
        "no sentiment was stated"
    );
    let reading = &tables.readings[1];
    assert_eq!(
        (
            reading.model.as_str(),
            reading.sentiment.as_str(),
            reading.sentiment_score
        ),
        (ANALYST, "negative", 0.8)
    );
    assert_eq!(reading.scores, [1.0]);

    // The trail, newest first, for everyone's services or one; as CSV with lists joined.
    let trail = get(&app, "/api/v1/themes/corrections").await.json();
    assert_eq!(ids(&trail), [id(3), id(1)].map(|i| i.to_string()));
    assert_eq!(trail[1]["note"], "about booking, not the queue");
    let mail = get(
        &app,
        "/api/v1/themes/corrections?service_id=passport-by-mail",
    )
    .await
    .json();
    assert_eq!(ids(&mail), [id(3).to_string()]);
    let csv = send(
        &app,
        "GET",
        "/api/v1/themes/corrections",
        Some(ANALYST_SECRET),
        "",
        "text/csv",
    )
    .await;
    assert!(
        csv.body.starts_with(
            "corrected_at,corrected_by,event_id,service_id,occurred_at,themes_before,"
        ),
        "{}",
        csv.body
    );
    assert!(
        csv.body.contains(",waiting-time;staff-manner,negative,"),
        "{}",
        csv.body
    );
    // A comment with no reading yet can be labelled too: nothing is "before".
    let answer = correct(&app, id(5), json!({"themes": []})).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    assert_eq!(
        (
            answer.json()["model"].as_str(),
            answer.json()["themes_before"].clone()
        ),
        (Some(""), json!([]))
    );
    // An admin may correct too.
    let admin = send(
        &app,
        "POST",
        &format!("/api/v1/feedback/comments/{}/themes", id(4)),
        Some(ADMIN_SECRET),
        r#"{"themes": ["praise"]}"#,
        "application/json",
    )
    .await;
    assert_eq!(admin.status, StatusCode::CREATED, "{}", admin.body);
}

#[tokio::test]
async fn every_bad_correction_is_refused_naming_what_is_wrong_and_nothing_is_kept() {
    let store = Arc::new(MemoryStore::new(tables()));
    let app = app_over(store.clone());
    let uri = |event: &str| format!("/api/v1/feedback/comments/{event}/themes");
    let one = id(1).to_string();
    let cases: Vec<(String, &str, &str, StatusCode, &str, &str)> = vec![
        (
            uri(&one),
            ANALYST_SECRET,
            r#"{"themes": ["waiting-tme"]}"#,
            StatusCode::BAD_REQUEST,
            "bad_parameter",
            "unknown theme `waiting-tme`",
        ),
        (
            uri(&one),
            ANALYST_SECRET,
            r#"{"themes": ["time"]}"#,
            StatusCode::BAD_REQUEST,
            "bad_parameter",
            "`time` groups themes",
        ),
        (
            uri(&one),
            ANALYST_SECRET,
            r#"{"themes": ["praise", "praise"]}"#,
            StatusCode::BAD_REQUEST,
            "bad_parameter",
            "`praise` is given more than once",
        ),
        (
            uri(&one),
            ANALYST_SECRET,
            r#"{"themes": ["praise"], "sentiment": "angry"}"#,
            StatusCode::BAD_REQUEST,
            "bad_parameter",
            "parameter `sentiment`: `angry`",
        ),
        (
            uri(&one),
            ANALYST_SECRET,
            r#"{"themes": ["praise"], "colour": "red"}"#,
            StatusCode::BAD_REQUEST,
            "bad_parameter",
            "unknown field `colour`",
        ),
        (
            uri(&one),
            ANALYST_SECRET,
            r#"{"sentiment": "negative"}"#,
            StatusCode::BAD_REQUEST,
            "bad_parameter",
            "missing field `themes`",
        ),
        (
            uri(&one),
            ANALYST_SECRET,
            r#"{"themes": "praise"}"#,
            StatusCode::BAD_REQUEST,
            "bad_parameter",
            "parameter `body`",
        ),
        (
            uri(&one),
            ANALYST_SECRET,
            "{\"themes\": [",
            StatusCode::BAD_REQUEST,
            "bad_parameter",
            "parameter `body`",
        ),
        (
            uri("42"),
            ANALYST_SECRET,
            r#"{"themes": []}"#,
            StatusCode::BAD_REQUEST,
            "bad_parameter",
            "`42` is not an event id",
        ),
        (
            uri(&id(99).to_string()),
            ANALYST_SECRET,
            r#"{"themes": []}"#,
            StatusCode::NOT_FOUND,
            "not_found",
            "no comment",
        ),
        (
            uri(&id(1).to_string()),
            ONTARIO_SECRET,
            r#"{"themes": []}"#,
            StatusCode::FORBIDDEN,
            "out_of_scope",
            "jurisdictions CA-ON",
        ),
        (
            uri(&one),
            VIEWER_SECRET,
            r#"{"themes": []}"#,
            StatusCode::FORBIDDEN,
            "forbidden",
            "needs the analyst role",
        ),
        (
            format!("{}?as_of=now", uri(&one)),
            ANALYST_SECRET,
            r#"{"themes": []}"#,
            StatusCode::BAD_REQUEST,
            "bad_parameter",
            "`as_of`",
        ),
    ];
    for (uri, secret, body, status, code, says) in &cases {
        let answer = send(&app, "POST", uri, Some(secret), body, "application/json").await;
        let (got, message) = answer.refused(*status);
        assert_eq!(got, *code, "{uri} {body}: {message}");
        assert!(message.contains(says), "{uri} {body}: {message}");
    }
    let note = json!({"themes": [], "note": "x".repeat(501)}).to_string();
    let (_, message) = send(
        &app,
        "POST",
        &uri(&one),
        Some(ANALYST_SECRET),
        &note,
        "application/json",
    )
    .await
    .refused(StatusCode::BAD_REQUEST);
    assert!(
        message.contains("`note`") && message.contains("500"),
        "{message}"
    );
    let huge = format!(
        r#"{{"themes": [], "note": "{}"}}"#,
        "x".repeat(civicpulse_dashboard_api::MAX_BODY_BYTES)
    );
    let (code, _) = send(
        &app,
        "POST",
        &uri(&one),
        Some(ANALYST_SECRET),
        &huge,
        "application/json",
    )
    .await
    .refused(StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(code, "body_too_large");
    let (code, _) = send(
        &app,
        "POST",
        &uri(&one),
        None,
        r#"{"themes": []}"#,
        "application/json",
    )
    .await
    .refused(StatusCode::UNAUTHORIZED);
    assert_eq!(code, "missing_token");
    assert!(
        store.tables().corrections.is_empty(),
        "a refused correction keeps nothing"
    );

    // The Ontario team corrects its own comments.
    let own = send(
        &app,
        "POST",
        &uri(&id(6).to_string()),
        Some(ONTARIO_SECRET),
        r#"{"themes": ["waiting-time"]}"#,
        "application/json",
    )
    .await;
    assert_eq!(own.status, StatusCode::CREATED, "{}", own.body);
    // A database that stopped answering: 503, and the client sends it again.
    store.set_unavailable(true);
    let (code, _) = correct(&app, id(2), json!({"themes": []}))
        .await
        .refused(StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(code, "unavailable");
}

#[tokio::test]
async fn bad_listings_and_trails_are_refused_naming_the_parameter() {
    let app = app_over(Arc::new(MemoryStore::new(tables())));
    for (uri, says) in [
        (
            "/api/v1/feedback/comments?theme=queues",
            "unknown theme `queues`",
        ),
        (
            "/api/v1/feedback/comments?sentiment=angry",
            "parameter `sentiment`",
        ),
        (
            "/api/v1/themes/corrections?from=2026-12-01&to=2026-11-01",
            "parameter `from`",
        ),
        (
            "/api/v1/themes/corrections?service_id=nowhere",
            "unknown service `nowhere`",
        ),
        ("/api/v1/themes/corrections?limit=0", "parameter `limit`"),
    ] {
        let (code, message) = get(&app, uri).await.refused(StatusCode::BAD_REQUEST);
        assert_eq!(code, "bad_parameter", "{uri}");
        assert!(message.contains(says), "{uri}: {message}");
    }
    // The trail of a scoped team: its services only, and another's refused by name.
    let scoped = send(
        &app,
        "GET",
        "/api/v1/themes/corrections?service_id=passport-by-mail",
        Some(ONTARIO_SECRET),
        "",
        "application/json",
    )
    .await;
    let (code, _) = scoped.refused(StatusCode::FORBIDDEN);
    assert_eq!(code, "out_of_scope");
    let viewer = send(
        &app,
        "GET",
        "/api/v1/themes/corrections",
        Some(VIEWER_SECRET),
        "",
        "application/json",
    )
    .await;
    let (code, _) = viewer.refused(StatusCode::FORBIDDEN);
    assert_eq!(code, "forbidden");
}
