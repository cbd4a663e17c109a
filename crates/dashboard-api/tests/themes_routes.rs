//! `/api/v1/themes` over the in-memory store: what a manager reads of what people write.

mod support;

use std::sync::Arc;

use axum::http::StatusCode;
use civicpulse_analytics::matrix::stats::wilson;
use civicpulse_dashboard_api::{router, ApiState};
use civicpulse_store::tables::comment_readings::{RespondentThemes, ThemeCount};
use serde_json::Value;
use support::{
    app, catalog, close, config, get_as, get_csv, get_json, row, time, MemoryStore, Tables,
    BY_MAIL, PASSPORT,
};

fn count(service: &str, theme: &str, comments: u64, mentions: u64, negative: u64) -> ThemeCount {
    ThemeCount {
        service_id: service.into(),
        theme: theme.into(),
        comments,
        mentions,
        negative,
    }
}

#[tokio::test]
async fn each_theme_has_its_share_of_the_comments_with_an_interval() {
    let app = app(Tables {
        theme_counts: vec![
            count(PASSPORT, "waiting-time", 40, 10, 8),
            count(PASSPORT, "praise", 40, 4, 0),
            count(BY_MAIL, "mail-delivery", 6, 3, 3),
        ],
        ..Tables::default()
    });
    let rows = get_json(&app, "/api/v1/themes?period=2026-11").await;
    let waiting = row(
        &rows,
        &[("service_id", PASSPORT), ("theme", "waiting-time")],
    );
    assert_eq!(waiting["theme_name"], "Waiting and processing time");
    assert_eq!(waiting["period"], "2026-11");
    close(&waiting["share"], 0.25);
    assert!(
        waiting["ci_low"].as_f64().unwrap() < 0.25 && waiting["ci_high"].as_f64().unwrap() > 0.25
    );
    assert_eq!(waiting["negative"], 8);
    // Six comments are too few to show a share: the counts stay, the note says why.
    let mail = row(
        &rows,
        &[("service_id", BY_MAIL), ("theme", "mail-delivery")],
    );
    assert!(
        mail["share"].is_null() && mail["ci_low"].is_null(),
        "{mail}"
    );
    assert_eq!(
        mail["note"],
        "too few comments to show: 6 (at least 10 needed)"
    );
    assert_eq!(mail["mentions"], 3);

    let csv = get_csv(
        &app,
        "/api/v1/themes?period=2026-11&service_id=passport-in-person",
    )
    .await;
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "period,service_id,theme,theme_name,comments,mentions,share,ci_low,ci_high,negative,note,\
             dissatisfied,dissatisfied_mentions,share_dissatisfied,share_dissatisfied_ci_low,\
             share_dissatisfied_ci_high,satisfied,satisfied_mentions,share_satisfied,\
             share_satisfied_ci_low,share_satisfied_ci_high,odds_ratio,odds_ratio_ci_low,\
             odds_ratio_ci_high,driver,driver_note"
        )
    );
    assert_eq!(lines.count(), 2, "{csv}");
}

/// `respondents` of `service` on `at` whose comment carries `themes`, with their answers.
fn answered(
    service: &str,
    at: &str,
    themes: &[&str],
    satisfaction: Option<u8>,
    helpful: Option<u8>,
    respondents: u64,
) -> (chrono::DateTime<chrono::Utc>, RespondentThemes) {
    (
        time(at),
        RespondentThemes {
            service_id: service.into(),
            themes: themes.iter().map(|t| t.to_string()).collect(),
            satisfaction,
            helpful,
            respondents,
        },
    )
}

/// The passport's November: waiting goes with 1–2 ratings, praise with 5s, the website is
/// written about by both about as often; by mail, three people of each kind.
fn november() -> Tables {
    let on = "2026-11-10T15:00:00Z";
    Tables {
        theme_counts: vec![
            count(PASSPORT, "praise", 167, 42, 0),
            count(PASSPORT, "waiting-time", 167, 55, 40),
            count(PASSPORT, "website-app", 167, 30, 10),
            count(BY_MAIL, "mail-delivery", 6, 6, 3),
        ],
        respondent_themes: vec![
            answered(PASSPORT, on, &["waiting-time"], Some(1), None, 40),
            answered(PASSPORT, on, &["waiting-time"], Some(5), None, 10),
            // No rating and no yes/no: read, but no outcome to learn from.
            answered(PASSPORT, on, &["waiting-time"], None, None, 5),
            answered(PASSPORT, on, &["praise"], Some(5), None, 40),
            answered(PASSPORT, on, &["praise"], Some(2), None, 2),
            answered(PASSPORT, on, &["website-app"], Some(1), None, 10),
            answered(PASSPORT, on, &["website-app"], Some(4), None, 20),
            answered(PASSPORT, on, &[], Some(3), None, 30),
            // "Not helpful" with no rating is dissatisfied.
            answered(PASSPORT, on, &[], None, Some(0), 10),
            // October's respondents are another period's.
            answered(
                PASSPORT,
                "2026-10-20T15:00:00Z",
                &["waiting-time"],
                Some(5),
                None,
                100,
            ),
            answered(BY_MAIL, on, &["mail-delivery"], Some(1), None, 3),
            answered(BY_MAIL, on, &["mail-delivery"], Some(5), None, 3),
        ],
        ..Tables::default()
    }
}

fn interval_holds(row: &Value, low: &str, value: &str, high: &str) {
    let (low, value, high) = (
        row[low].as_f64().unwrap(),
        row[value].as_f64().unwrap(),
        row[high].as_f64().unwrap(),
    );
    assert!(low < value && value < high, "{low} {value} {high}");
}

#[tokio::test]
async fn drivers_come_first_by_effect_with_their_shares_and_odds_ratio() {
    let app = app(november());
    let rows = get_json(&app, "/api/v1/themes?period=2026-11").await;
    let passport: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["service_id"] == PASSPORT)
        .map(|r| r["theme"].as_str().unwrap())
        .collect();
    // Significant drivers first by effect (waiting raises the odds, praise lowers them),
    // then the website, though more people mention it than complain of waiting.
    assert_eq!(passport, ["waiting-time", "praise", "website-app"]);

    // 62 dissatisfied (40 + 2 + 10 rated 1–2, 10 "not helpful"), 100 others who answered.
    let waiting = row(
        &rows,
        &[("service_id", PASSPORT), ("theme", "waiting-time")],
    );
    assert_eq!(
        (
            waiting["dissatisfied"].as_u64(),
            waiting["satisfied"].as_u64()
        ),
        (Some(62), Some(100))
    );
    assert_eq!(waiting["dissatisfied_mentions"], 40);
    close(&waiting["share_dissatisfied"], 40.0 / 62.0);
    let (low, high) = wilson(40, 62).unwrap();
    close(&waiting["share_dissatisfied_ci_low"], low);
    close(&waiting["share_dissatisfied_ci_high"], high);
    assert_eq!(waiting["satisfied_mentions"], 10);
    close(&waiting["share_satisfied"], 0.1);
    interval_holds(
        waiting,
        "share_satisfied_ci_low",
        "share_satisfied",
        "share_satisfied_ci_high",
    );
    assert_eq!(waiting["driver"], "significant");
    interval_holds(
        waiting,
        "odds_ratio_ci_low",
        "odds_ratio",
        "odds_ratio_ci_high",
    );
    assert!(
        waiting["odds_ratio_ci_low"].as_f64().unwrap() > 1.0,
        "{waiting}"
    );
    assert_eq!(waiting["driver_note"], "");

    let praise = row(&rows, &[("service_id", PASSPORT), ("theme", "praise")]);
    assert_eq!(praise["driver"], "significant");
    assert!(
        praise["odds_ratio_ci_high"].as_f64().unwrap() < 1.0,
        "{praise}"
    );

    let website = row(&rows, &[("service_id", PASSPORT), ("theme", "website-app")]);
    assert_eq!(website["driver"], "not_significant");
    assert!(
        website["odds_ratio_ci_low"].as_f64().unwrap() < 1.0
            && website["odds_ratio_ci_high"].as_f64().unwrap() > 1.0,
        "{website}"
    );

    // Three dissatisfied and three satisfied by mail: every driver figure is withheld,
    // the group sizes stay.
    let mail = row(
        &rows,
        &[("service_id", BY_MAIL), ("theme", "mail-delivery")],
    );
    assert_eq!(
        (mail["dissatisfied"].as_u64(), mail["satisfied"].as_u64()),
        (Some(3), Some(3))
    );
    for withheld in [
        "dissatisfied_mentions",
        "share_dissatisfied",
        "share_dissatisfied_ci_low",
        "satisfied_mentions",
        "share_satisfied",
        "odds_ratio",
        "odds_ratio_ci_low",
    ] {
        assert!(mail[withheld].is_null(), "{withheld}: {mail}");
    }
    assert_eq!(mail["driver"], "no_comparison");
    assert_eq!(
        mail["driver_note"],
        "too few dissatisfied respondents to show: 3 (at least 10 needed); \
         too few satisfied respondents to show: 3 (at least 10 needed)"
    );
}

#[tokio::test]
async fn a_bad_period_is_a_400_and_a_silent_store_a_503() {
    let store = Arc::new(MemoryStore::new(november()));
    let app = router(ApiState::with_stores(
        Arc::new(catalog()),
        &config(),
        store.clone(),
    ));
    let answer = get_as(&app, "/api/v1/themes?period=2026-13", None).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
    assert!(answer.body.contains("`period`"), "{}", answer.body);
    let answer = get_as(&app, "/api/v1/themes?service_id=no-such-service", None).await;
    assert!(answer.status.is_client_error(), "{}", answer.body);
    assert!(answer.body.contains("no-such-service"), "{}", answer.body);

    store.set_unavailable(true);
    let answer = get_as(&app, "/api/v1/themes?period=2026-11", None).await;
    assert_eq!(
        answer.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        answer.body
    );
    let body: Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(body["error"]["code"], "unavailable");
}
