//! What people write, through the whole pipeline: comments sent to the gateway are read for
//! themes by the aggregator, counted by `/api/v1/themes`, and leave with their case when it
//! is erased.

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
        let mut event = feedback("passport-in-person", "in_person", 2, Some(text));
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

#[tokio::test(flavor = "multi_thread")]
async fn comments_no_theme_claims_are_suggested_as_a_new_theme() {
    require_shared_servers();
    let mut pipeline = Pipeline::new(Settings::default());
    pipeline.migrate();
    let _gateway = pipeline.start_gateway("gateway").await;
    let subjects = [
        "The TV in the room plays the news too loud",
        "The television was blaring the news all morning",
        "The TV in the hall was blaring the news",
        "Loud news on the television in the hall",
    ];
    let events: Vec<Value> = (0..12)
        .map(|i| {
            let text = format!("{} (visit {i})", subjects[i % subjects.len()]);
            feedback("passport-in-person", "in_person", 3, Some(&text))
        })
        .collect();
    let (status, body) = pipeline.post(&events).await;
    assert_eq!(status, 200, "{body}");
    let _sink = pipeline.spawn("sink");
    pipeline
        .wait_count("feedback_comments", 12, Duration::from_secs(30))
        .await;
    pipeline.spawn("aggregate").wait_success();
    let unclaimed = pipeline
        .query("SELECT count() FROM comment_readings FINAL WHERE empty(themes)")
        .await
        .unwrap();
    assert!(
        unclaimed.trim().parse::<u64>().unwrap() >= 10,
        "the taxonomy claimed these: {unclaimed}"
    );

    let _api = pipeline.start_dashboard().await;
    let (status, rows) = pipeline
        .api_get("/api/v1/themes/suggestions?service_id=passport-in-person")
        .await;
    assert_eq!(status, 200, "{rows}");
    let tv = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["terms"].as_str().unwrap_or_default().contains("news"))
        .unwrap_or_else(|| panic!("no suggestion about the TV in {rows}"));
    assert!(tv["comments"].as_u64().unwrap() >= 5, "{tv}");
    assert!(tv["example_1"].as_str().unwrap().contains("news"), "{tv}");
}
