//! Shared fixtures of the success-path tests: an app over a [`MemoryStore`] holding
//! hand-made rows, requests as a Grafana panel or a person sends them, and row builders
//! that name only what a test cares about (the rest is zero or empty).
//!
//! Rows of the rollups carry the day they stand for (`bucket`, days since 1970-01-01); the
//! in-memory store answers every read with them whatever the range, as the aggregation and
//! the day filter are ClickHouse's and tested on the real servers.

#![allow(dead_code)] // each test file uses its own part

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use chrono::{DateTime, NaiveDate, Utc};
use civicpulse_core::access::Role;
use civicpulse_core::{Catalog, Config};
use civicpulse_dashboard_api::{router, ApiState};
use civicpulse_store::tables::matrix_activity_daily::ActivitySums;
use civicpulse_store::tables::matrix_feedback_daily::AnswerSums;
use civicpulse_store::tables::matrix_sla_daily::ClosedCases;
use civicpulse_store::tables::sla_cases::CaseListed;
use civicpulse_testkit::config::token_of;
pub use civicpulse_testkit::memory::{MemoryStore, Tables};
use serde_json::Value;
use tower::ServiceExt;

pub const TOKEN: &str = "read-token";

/// The services the tests read, as the repository's catalog names them.
pub const PASSPORT: &str = "passport-in-person";
pub const PASSPORT_NAME: &str = "Passport, applied for in person";
pub const BY_MAIL: &str = "passport-by-mail";
pub const BY_MAIL_NAME: &str = "Passport, applied for by mail";

pub fn catalog() -> Catalog {
    Catalog::from_toml_str(include_str!("../../../../catalog.toml")).expect("catalog")
}

/// The configuration of the tests: one read token, no Prometheus to ask.
pub fn config() -> Config {
    let mut config = Config::default();
    config.dashboard.tokens = vec![token_of("analyst", TOKEN, Role::Analyst)];
    config.reports.prometheus_url = None;
    config
}

/// The dashboard API over `tables`.
pub fn app(tables: Tables) -> Router {
    let store = Arc::new(MemoryStore::new(tables));
    router(ApiState::with_stores(Arc::new(catalog()), &config(), store))
}

/// An answer as a client reads it.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    /// The body as JSON, after checking the request succeeded.
    pub fn json(&self) -> Value {
        assert_eq!(self.status, StatusCode::OK, "{}", self.body);
        serde_json::from_str(&self.body).expect("a JSON body")
    }

    /// The body as text, after checking the request succeeded.
    pub fn text(&self) -> &str {
        assert_eq!(self.status, StatusCode::OK, "{}", self.body);
        &self.body
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// `GET path` with the read token and `accept` (None: no `Accept` header).
pub async fn get_as(app: &Router, path: &str, accept: Option<&str>) -> Answer {
    let mut request = Request::builder()
        .uri(path)
        .header("authorization", format!("Bearer {TOKEN}"));
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).expect("a request"))
        .await
        .expect("an answer");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), 16 << 20)
        .await
        .expect("a body");
    Answer {
        status,
        headers,
        body: String::from_utf8(bytes.to_vec()).expect("UTF-8"),
    }
}

/// `GET path` as JSON.
pub async fn get_json(app: &Router, path: &str) -> Value {
    get_as(app, path, None).await.json()
}

/// `GET path` as CSV (`Accept: text/csv`).
pub async fn get_csv(app: &Router, path: &str) -> String {
    let answer = get_as(app, path, Some("text/csv")).await;
    assert_eq!(
        answer.header("content-type"),
        Some("text/csv; charset=utf-8")
    );
    answer.text().to_string()
}

/// The one element of `rows` (a JSON array) whose `key` fields equal the values given.
pub fn row<'a>(rows: &'a Value, keys: &[(&str, &str)]) -> &'a Value {
    let found: Vec<&Value> = rows
        .as_array()
        .expect("an array")
        .iter()
        .filter(|r| keys.iter().all(|(k, v)| r[*k].as_str() == Some(*v)))
        .collect();
    assert_eq!(found.len(), 1, "one row with {keys:?} in {rows}");
    found[0]
}

/// A floating figure, to compare with one computed by hand.
pub fn close(value: &Value, expected: f64) {
    let v = value
        .as_f64()
        .unwrap_or_else(|| panic!("{value} is no number"));
    assert!((v - expected).abs() < 1e-9, "{v} is not {expected}");
}

pub fn date(text: &str) -> NaiveDate {
    text.parse().expect("a date")
}

pub fn time(text: &str) -> DateTime<Utc> {
    text.parse().expect("an RFC 3339 time")
}

/// A day as the rollups carry it (days since 1970-01-01).
pub fn day(text: &str) -> u16 {
    let days = (date(text) - date("1970-01-01")).num_days();
    u16::try_from(days).expect("a day the rollups hold")
}

/// Seconds since the epoch, as `sla_cases` listings carry times.
pub fn epoch(text: &str) -> u32 {
    u32::try_from(time(text).timestamp()).expect("after 1970")
}

/// Survey answers of a day: `responses` people answered the satisfaction question, of whom
/// `satisfied` gave 5 and the others 2 (so the sums of the layout
/// `[responses, then n, sum, sum of squares, top-2 per question]` follow); the six other
/// questions unanswered.
pub fn answers(service: &str, on: &str, group: &str, responses: u64, satisfied: u64) -> AnswerSums {
    let others = responses - satisfied;
    let mut sums = vec![0; 1 + 7 * 4];
    sums[0] = responses;
    sums[1] = responses;
    sums[2] = satisfied * 5 + others * 2;
    sums[3] = satisfied * 25 + others * 4;
    sums[4] = satisfied;
    AnswerSums {
        service_id: service.into(),
        bucket: day(on),
        group_value: group.into(),
        sla_outcome: String::new(),
        sums,
    }
}

/// Activity of a day: transactions (none digital), and applications received and decided.
pub fn activity(
    service: &str,
    on: &str,
    transactions: u64,
    received: u64,
    decided: u64,
) -> ActivitySums {
    ActivitySums {
        service_id: service.into(),
        bucket: day(on),
        group_value: String::new(),
        sums: vec![transactions, 0, 0, received, decided, 0],
    }
}

/// Cases closed on a day after `elapsed` days, met and breached.
pub fn closed(service: &str, on: &str, elapsed: i32, met: u64, breached: u64) -> ClosedCases {
    ClosedCases {
        service_id: service.into(),
        bucket: day(on),
        group_value: String::new(),
        elapsed_days: elapsed,
        met,
        breached,
    }
}

/// A listed case of the passport's `processing` standard.
pub fn case(case_ref: &str, status: &str, started_at: &str) -> CaseListed {
    CaseListed {
        case_ref: case_ref.into(),
        service_id: PASSPORT.into(),
        policy: "processing".into(),
        started_at: epoch(started_at),
        stopped_at: 0,
        elapsed_days: 0,
        paused_days: 0,
        limit_days: 10,
        due_date: 0,
        status: status.into(),
        late_days: 0,
        refund_percent: 0.0,
        refund_amount: 0.0,
        currency: "CAD".into(),
        channel: "in_person".into(),
        region: String::new(),
        service_option: "regular".into(),
        unit: "business_days".into(),
        due_at: 0,
        exceptions: String::new(),
        remission: String::new(),
    }
}
