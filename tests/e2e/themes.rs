//! What people write, through the whole pipeline: comments sent to the gateway are read for
//! themes by the aggregator, counted by `/api/v1/themes` beside the answers they came with,
//! shared out in the matrix's theme family, and leave with their case when it is erased.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::*;

#[tokio::test(flavor = "multi_thread")]
async fn comments_are_read_for_themes_counted_and_erased_with_their_case() {
    require_shared_servers();
    let mut pipeline = Pipeline::new(Settings::default());
    pipeline.migrate();
    let _gateway = pipeline.start_gateway("gateway").await;
    let mut events = Vec::new();
    for (i, text) in [
        "Waited three hours in line, the queue never moved.",
        "J'ai attendu deux heures au comptoir, c'est trop long.",
        "The agent was very kind and patient, thank you.",
        "Site web en panne, impossible de payer les frais en ligne.",
    ]
    .iter()
    .enumerate()
    {
        // Thanks come with a 5, the rest with a 2.
        let satisfaction = if text.contains("thank you") { 5 } else { 2 };
        let mut event = feedback("passport-in-person", "in_person", satisfaction, Some(text));
        event["case_ref"] = json!(format!("P-THEMES-{i}"));
        events.push(event);
    }
    let (status, body) = pipeline.post(&events).await;
    assert_eq!(status, 200, "{body}");
    let _sink = pipeline.spawn("sink");
    pipeline
        .wait_count("feedback_comments", 4, Duration::from_secs(30))
        .await;

    pipeline.spawn("aggregate").wait_success();
    let stored = pipeline
        .query(
            "SELECT case_ref, language, arrayStringConcat(themes, ','), sentiment \
             FROM comment_readings FINAL ORDER BY case_ref FORMAT TSV",
        )
        .await
        .unwrap();
    let rows: Vec<Vec<&str>> = stored.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 4, "{stored}");
    assert_eq!(rows[0][1], "en");
    assert!(rows[0][2].contains("waiting-time"), "{stored}");
    assert_eq!(rows[1][1], "fr");
    assert!(rows[1][2].contains("waiting-time"), "{stored}");
    assert!(rows[2][2].contains("staff-manner"), "{stored}");
    assert!(rows[3][2].contains("website-app"), "{stored}");
    // A second run reads nothing again: the same model has read every comment.
    pipeline.spawn("aggregate").wait_success();
    assert_eq!(pipeline.count("comment_readings").await, 4);

    let _api = pipeline.start_dashboard().await;
    let (status, themes) = pipeline
        .api_get("/api/v1/themes?service_id=passport-in-person")
        .await;
    assert_eq!(status, 200, "{themes}");
    let waiting = themes
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["theme"] == "waiting-time")
        .unwrap_or_else(|| panic!("no waiting time in {themes}"));
    assert_eq!(waiting["comments"], 4);
    assert_eq!(waiting["mentions"], 2);
    // Four comments are too few to show a share.
    assert_eq!(waiting["share"], Value::Null);
    // Each reading joined to its response: three rated 2, one rated 5; too few of either
    // to show a driver.
    assert_eq!(waiting["dissatisfied"], 3, "{waiting}");
    assert_eq!(waiting["satisfied"], 1, "{waiting}");
    assert_eq!(waiting["share_dissatisfied"], Value::Null);
    assert_eq!(waiting["driver"], "no_comparison");

    // The matrix's theme family: four comments, withheld, judged by nothing.
    let (status, cells) = pipeline
        .api_get("/api/v1/matrix?service_id=passport-in-person&dimension=theme_share:time")
        .await;
    assert_eq!(status, 200, "{cells}");
    assert_eq!(cells[0]["family"], "themes", "{cells}");
    assert_eq!(cells[0]["n"], 4, "{cells}");
    assert_eq!(cells[0]["status"], "insufficient_data", "{cells}");
    // An intervention reads the same readings over its own windows.
    let (status, rows) = pipeline
        .api_get(
            "/api/v1/interventions?intervention_id=passport-in-person-extra-staff&dimension=theme_share:waiting-time",
        )
        .await;
    assert_eq!(status, 200, "{rows}");
    assert_eq!(rows.as_array().map(Vec::len), Some(1), "{rows}");

    // Erasing a case takes its reading too.
    pipeline
        .spawn_args(
            &["erase", "--case-ref", "P-THEMES-0", "--requested-by", "e2e"],
            &[],
        )
        .wait_success();
    let left = pipeline
        .query("SELECT count() FROM comment_readings WHERE case_ref = 'P-THEMES-0'")
        .await
        .unwrap();
    assert_eq!(left.trim(), "0");
    assert_eq!(pipeline.count("comment_readings").await, 3);
}
