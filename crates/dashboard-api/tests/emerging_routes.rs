//! `/api/v1/themes/emerging` over the in-memory store: a month of calm comments, then a
//! website outage on 16 November. A viewer reads what is flagged and the rule; an analyst
//! also reads example comments, and that read is in the access audit.

mod support;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use chrono::{Days, NaiveDate};
use civicpulse_core::access::Role;
use civicpulse_core::calendar::local_midnight;
use civicpulse_dashboard_api::{router, ApiState};
use civicpulse_store::tables::access_audit::AuditAction;
use civicpulse_store::tables::comment_readings::{DayMentions, MentionKind, ReadSince};
use civicpulse_store::tables::feedback_comments::CommentListed;
use civicpulse_testkit::config::token_of;
use civicpulse_testkit::memory::ReadComment;
use serde_json::Value;
use support::{catalog, config, MemoryStore, Tables, BY_MAIL, PASSPORT};
use tower::ServiceExt;

const VIEWER: &str = "viewer-secret";
const ANALYST: &str = "analyst-secret";
const OUTAGE: &str = "2026-11-16";

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// `counts` from `first` on, one a day.
fn series(
    service: &str,
    kind: MentionKind,
    key: &str,
    text: &str,
    counts: &[u64],
) -> Vec<DayMentions> {
    let first = day("2026-10-01");
    counts
        .iter()
        .enumerate()
        .map(|(i, count)| DayMentions {
            service_id: service.into(),
            kind,
            key: key.into(),
            text: text.into(),
            day: first + Days::new(i as u64),
            count: *count,
        })
        .collect()
}

/// Comments of the passport service on the outage day (newest last), at `hour` UTC.
fn comment(hour: u32, text: &str, themes: &[&str], phrases: &[&str]) -> ReadComment {
    let at = day(OUTAGE).and_hms_opt(hour, 0, 0).unwrap().and_utc();
    ReadComment {
        comment: CommentListed {
            occurred_at: u32::try_from(at.timestamp()).unwrap(),
            service_id: PASSPORT.into(),
            channel: "web".into(),
            comment: text.into(),
            ..CommentListed::default()
        },
        themes: themes.iter().map(|t| t.to_string()).collect(),
        phrases: phrases.iter().map(|p| p.to_string()).collect(),
    }
}

/// 1 October to 16 November: calm, then the outage on the last day.
fn tables() -> Tables {
    let calm = |i: usize| [1, 2, 0, 3, 1, 2, 2][i % 7];
    let days = 47;
    let mut website: Vec<u64> = (0..days).map(calm).collect();
    website[days - 1] = 20;
    let praise: Vec<u64> = (0..days).map(|i| calm(i + 3)).collect();
    let mut panne = vec![0; days];
    panne[days - 1] = 9;
    let all: Vec<u64> = (0..days).map(|i| 12 + calm(i)).collect();
    let mut mentions = Vec::new();
    mentions.extend(series(
        PASSPORT,
        MentionKind::Theme,
        "website-app",
        "website-app",
        &website,
    ));
    mentions.extend(series(
        PASSPORT,
        MentionKind::Theme,
        "praise",
        "praise",
        &praise,
    ));
    mentions.extend(series(
        PASSPORT,
        MentionKind::Phrase,
        "sit pann",
        "site en panne",
        &panne,
    ));
    mentions.extend(series(PASSPORT, MentionKind::Comments, "", "", &all));
    mentions.extend(series(
        BY_MAIL,
        MentionKind::Theme,
        "mail-delivery",
        "mail-delivery",
        &praise,
    ));
    let since = |service: &str| ReadSince {
        service_id: service.into(),
        comments: day("2026-10-01"),
        phrases: Some(day("2026-10-01")),
    };
    Tables {
        mention_days: mentions,
        read_since: vec![since(PASSPORT), since(BY_MAIL)],
        read_comments: vec![
            comment(
                14,
                "Site en panne, impossible de payer.",
                &["website-app"],
                &["sit pann"],
            ),
            comment(15, "Website down all morning.", &["website-app"], &[]),
            comment(16, "Can't log in, the site is down.", &["website-app"], &[]),
            comment(
                17,
                "Le site est en panne depuis ce matin.",
                &["website-app"],
                &["sit pann"],
            ),
            comment(18, "Thank you, very kind staff.", &["praise"], &[]),
        ],
        ..Tables::default()
    }
}

fn app(store: Arc<MemoryStore>) -> Router {
    let mut config = config();
    config.dashboard.tokens = vec![
        token_of("dashboard", VIEWER, Role::Viewer),
        token_of("service-team", ANALYST, Role::Analyst),
    ];
    router(ApiState::with_stores(Arc::new(catalog()), &config, store))
}

async fn get(app: &Router, uri: &str, secret: &str, accept: &str) -> (StatusCode, String) {
    let request = Request::get(uri)
        .header("authorization", format!("Bearer {secret}"))
        .header("accept", accept)
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24)
        .await
        .unwrap();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

async fn json(app: &Router, uri: &str, secret: &str) -> Vec<Value> {
    let (status, body) = get(app, uri, secret, "application/json").await;
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    serde_json::from_str(&body).unwrap()
}

fn find<'a>(rows: &'a [Value], kind: &str, key: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["kind"] == kind && r["key"] == key)
        .unwrap_or_else(|| panic!("no {kind} {key} in {rows:?}"))
}

#[tokio::test]
async fn the_outage_is_flagged_with_its_rule_and_a_viewer_reads_no_comment() {
    let store = Arc::new(MemoryStore::new(tables()));
    let app = app(store.clone());
    // The outage day and the six calm days before it.
    let rows = json(
        &app,
        &format!("/api/v1/themes/emerging?day={OUTAGE}"),
        VIEWER,
    )
    .await;
    assert!(rows.iter().all(|r| r["day"] == OUTAGE), "{rows:?}");
    let website = find(&rows, "theme", "website-app");
    assert_eq!(website["service_id"], PASSPORT);
    assert_eq!(website["name"], "Website and app");
    assert_eq!(website["count"], 20);
    // The 28 days before: 4 weeks of 11 mentions, plus half a comment, a day.
    let expected = (4.0 * 11.0 + 0.5) / 28.0;
    assert!((website["expected_per_day"].as_f64().unwrap() - expected).abs() < 1e-9);
    assert!(website["tail_probability"].as_f64().unwrap() < 1e-6);
    assert_eq!(website["alpha"], 0.001);
    assert_eq!(website["min_count"], 5);
    assert_eq!(website["baseline_days"], 28);
    assert_eq!(website["example_1"], "");
    let phrase = find(&rows, "phrase", "sit pann");
    assert_eq!(phrase["name"], "site en panne");
    assert_eq!(phrase["count"], 9);
    // Praise, mail and the comments in all stay within their usual days.
    assert_eq!(rows.len(), 2, "{rows:?}");
    // A viewer read no comment: nothing to audit.
    assert!(store.tables().audit_entries.is_empty());

    // The calm week before the outage: nothing.
    let calm = json(
        &app,
        "/api/v1/themes/emerging?day=2026-11-15&days=14",
        VIEWER,
    )
    .await;
    assert!(calm.is_empty(), "{calm:?}");
    // The other service alone: nothing.
    let mail = json(
        &app,
        &format!("/api/v1/themes/emerging?day={OUTAGE}&service_id={BY_MAIL}"),
        VIEWER,
    )
    .await;
    assert!(mail.is_empty(), "{mail:?}");

    let (status, csv) = get(
        &app,
        &format!("/api/v1/themes/emerging?day={OUTAGE}&days=1"),
        VIEWER,
        "text/csv",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("day,service_id,kind,key,name,count,expected_per_day,tail_probability,alpha,min_count,baseline_days,example_1,example_2,example_3")
    );
    assert_eq!(lines.count(), 2, "{csv}");
}

#[tokio::test]
async fn an_analyst_reads_the_days_comments_and_the_read_is_audited() {
    let store = Arc::new(MemoryStore::new(tables()));
    let app = app(store.clone());
    let rows = json(
        &app,
        &format!("/api/v1/themes/emerging?day={OUTAGE}"),
        ANALYST,
    )
    .await;
    let website = find(&rows, "theme", "website-app");
    // The newest three of the day's comments about the website.
    assert_eq!(
        website["example_1"],
        "Le site est en panne depuis ce matin."
    );
    assert_eq!(website["example_2"], "Can't log in, the site is down.");
    assert_eq!(website["example_3"], "Website down all morning.");
    let phrase = find(&rows, "phrase", "sit pann");
    assert_eq!(phrase["example_1"], "Le site est en panne depuis ce matin.");
    assert_eq!(phrase["example_2"], "Site en panne, impossible de payer.");
    assert_eq!(phrase["example_3"], "");

    let audit = store.tables().audit_entries;
    assert_eq!(audit.len(), 1, "{audit:?}");
    let entry = &audit[0];
    assert_eq!(entry.token_id, "service-team");
    assert_eq!(entry.action, AuditAction::ReadComments);
    assert_eq!(entry.endpoint, "/api/v1/themes/emerging");
    assert_eq!(entry.rows, 5);
    // The filter names the days scanned, from local midnight (Toronto) to local midnight.
    let zone = catalog().reporting_zone();
    let from = local_midnight(day("2026-11-10"), zone).format("%Y-%m-%dT%H:%M:%SZ");
    assert!(
        entry
            .filter
            .contains(&format!("from={}", from.to_string().replace(':', "%3A"))),
        "{}",
        entry.filter
    );

    // Days with nothing flagged give no comment and leave no entry.
    json(&app, "/api/v1/themes/emerging?day=2026-11-15", ANALYST).await;
    assert_eq!(store.tables().audit_entries.len(), 1);
}

#[tokio::test]
async fn a_read_of_examples_that_cannot_be_audited_is_not_answered() {
    let store = Arc::new(MemoryStore::new(tables()));
    let app = app(store.clone());
    store.set_audit_unavailable(true);
    let uri = format!("/api/v1/themes/emerging?day={OUTAGE}");
    let (status, body) = get(&app, &uri, ANALYST, "application/json").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(!body.contains("panne"), "{body}");
    // A viewer, who reads no comment, is answered.
    let (status, _) = get(&app, &uri, VIEWER, "application/json").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn every_bad_request_is_refused_naming_its_parameter() {
    let store = Arc::new(MemoryStore::new(tables()));
    let app = app(store.clone());
    for (query, parameter) in [
        ("day=2026-13-01", "day"),
        ("day=yesterday", "day"),
        ("days=0", "days"),
        ("days=32", "days"),
        ("days=-1", "days"),
        ("service_id=nowhere", "service_id"),
        ("theme=website-app", "theme"),
        ("days=7&days=8", "days"),
    ] {
        let uri = format!("/api/v1/themes/emerging?{query}");
        let (status, body) = get(&app, &uri, VIEWER, "application/json").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
        let error: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(error["error"]["code"], "bad_parameter", "{uri}");
        assert!(
            error["error"]["message"]
                .as_str()
                .unwrap()
                .contains(&format!("`{parameter}`")),
            "{uri}: {body}"
        );
    }
    let (status, _) = get(&app, "/api/v1/themes/emerging", VIEWER, "text/html").await;
    assert_eq!(status, StatusCode::NOT_ACCEPTABLE);
    let (status, _) = get(&app, "/api/v1/themes/emerging", "wrong", "application/json").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    store.set_unavailable(true);
    let (status, body) = get(&app, "/api/v1/themes/emerging", VIEWER, "application/json").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(body.contains("\"unavailable\""), "{body}");
}

/// The series of one gauge line, e.g. `civicpulse_theme_emerging{…} 1`.
fn gauge(exposition: &str, name: &str, labels: &str) -> Option<f64> {
    exposition
        .lines()
        .find(|l| l.starts_with(&format!("{name}{{")) && l.contains(labels))
        .and_then(|l| l.rsplit(' ').next()?.parse().ok())
}

#[tokio::test]
async fn todays_outage_is_a_gauge_prometheus_alerts_on() {
    let zone = catalog().reporting_zone();
    let today = civicpulse_core::calendar::local_date(chrono::Utc::now(), zone);
    let first = today - Days::new(40);
    let mut tables = Tables {
        read_since: vec![ReadSince {
            service_id: PASSPORT.into(),
            comments: first,
            phrases: Some(first),
        }],
        ..Tables::default()
    };
    for i in 0..=40u64 {
        let day = first + Days::new(i);
        let mut push = |kind, key: &str, text: &str, count| {
            tables.mention_days.push(DayMentions {
                service_id: PASSPORT.into(),
                kind,
                key: key.into(),
                text: text.into(),
                day,
                count,
            })
        };
        let outage = day == today;
        push(
            MentionKind::Theme,
            "website-app",
            "website-app",
            if outage { 15 } else { i % 3 },
        );
        push(MentionKind::Theme, "praise", "praise", 2);
        push(
            MentionKind::Phrase,
            "¬ log",
            "can't log",
            if outage { 7 } else { 0 },
        );
    }
    let app = app(Arc::new(MemoryStore::new(tables)));
    let (status, metrics) = get(&app, "/metrics", VIEWER, "text/plain").await;
    assert_eq!(status, StatusCode::OK);
    let website = r#"service_id="passport-in-person",theme="website-app""#;
    let praise = r#"service_id="passport-in-person",theme="praise""#;
    assert_eq!(
        gauge(&metrics, "civicpulse_theme_emerging", website),
        Some(1.0),
        "{metrics}"
    );
    assert_eq!(
        gauge(&metrics, "civicpulse_theme_mentions_today", website),
        Some(15.0)
    );
    assert!(gauge(&metrics, "civicpulse_theme_mentions_expected", website).unwrap() < 1.5);
    assert_eq!(
        gauge(&metrics, "civicpulse_theme_emerging", praise),
        Some(0.0)
    );
    assert_eq!(
        gauge(
            &metrics,
            "civicpulse_phrase_emerging",
            r#"phrase="can't log""#
        ),
        Some(7.0)
    );
}
