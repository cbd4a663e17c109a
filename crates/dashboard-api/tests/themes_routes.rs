//! `/api/v1/themes` over the in-memory store: what a manager reads of what people write.

mod support;

use civicpulse_store::tables::comment_readings::ThemeCount;
use support::{app, close, get_csv, get_json, row, Tables, BY_MAIL, PASSPORT};

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
        Some("period,service_id,theme,theme_name,comments,mentions,share,ci_low,ci_high,negative,note")
    );
    assert_eq!(lines.count(), 2, "{csv}");
}
