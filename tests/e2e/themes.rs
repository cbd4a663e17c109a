//! What people write, through the whole pipeline: comments sent to the gateway are read for
//! themes by the aggregator, counted by `/api/v1/themes`, and leave with their case when it
//! is erased; a simulated website outage is found by `/api/v1/themes/emerging` on its day
//! and nothing on the calm weeks before it.

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

/// Where the simulated history ends: a fixed end, so the same seed replays the same days.
const UNTIL: &str = "2026-11-20T22:00:00Z";
/// The outage's day, two days before the end (Toronto, the catalog's reporting zone).
const OUTAGE_DAY: &str = "2026-11-18";

/// Distinct comments stored so far.
async fn comments_stored(pipeline: &Pipeline) -> u64 {
    pipeline
        .query("SELECT count() FROM feedback_comments")
        .await
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_simulated_website_outage_emerges_on_its_day_and_not_on_the_calm_weeks_before() {
    require_shared_servers();
    let started = std::time::Instant::now();
    let mut pipeline = Pipeline::new(Settings::default());
    pipeline.migrate();
    let _gateway = pipeline.start_gateway("gateway").await;
    let _sink = pipeline.spawn("sink");
    // 75 calm days (no surge) of every service, then a website outage on the 73rd.
    let mut simulate = pipeline.spawn_args(
        &[
            "simulate",
            "--backfill",
            "30000",
            "--duration",
            "0s",
            "--seed",
            "5",
            "--history-days",
            "75",
            "--surge-service",
            "none",
            "--until",
            UNTIL,
            "--outage-days-ago",
            "2",
        ],
        &[("CIVICPULSE_SIMULATOR_KEY", API_KEY.to_string())],
    );
    assert!(
        simulate.wait_exit(Duration::from_secs(180)).await,
        "simulator failed: {}",
        simulate.log_text()
    );
    // The sink has caught up when the count of comments stops moving.
    let mut last = u64::MAX;
    for _ in 0..120 {
        let stored = comments_stored(&pipeline).await;
        if stored > 100 && stored == last {
            break;
        }
        last = stored;
        tokio::time::sleep(Duration::from_millis(750)).await;
    }
    pipeline.spawn("aggregate").wait_success();
    let _api = pipeline.start_dashboard().await;

    // The outage's day: every service served on the web has its burst about the website.
    let (status, rows) = pipeline
        .api_get(&format!("/api/v1/themes/emerging?day={OUTAGE_DAY}&days=1"))
        .await;
    assert_eq!(status, 200, "{rows}");
    let rows = rows.as_array().unwrap().clone();
    let catalog = civicpulse_core::Catalog::load(&repo_root().join("catalog.toml")).unwrap();
    let on_the_web: Vec<&str> = catalog
        .services
        .iter()
        .filter(|s| s.channels.contains(&civicpulse_core::event::Channel::Web))
        .map(|s| s.id.as_str())
        .collect();
    let website: Vec<&Value> = rows
        .iter()
        .filter(|r| r["kind"] == "theme" && r["key"] == "website-app")
        .collect();
    let mut flagged: Vec<&str> = website
        .iter()
        .map(|r| r["service_id"].as_str().unwrap())
        .collect();
    flagged.sort();
    let mut expected = on_the_web.clone();
    expected.sort();
    assert_eq!(flagged, expected, "{rows:#?}");
    for row in &website {
        assert_eq!(row["day"], OUTAGE_DAY);
        assert_eq!(row["name"], "Website and app");
        assert!(row["count"].as_u64().unwrap() >= 15, "{row}");
        assert!(row["tail_probability"].as_f64().unwrap() < 0.001, "{row}");
        // The test's token is an admin's: the day's comments come with the row.
        let example = row["example_1"].as_str().unwrap();
        assert!(
            ["panne", "log in", "down", "connecter"]
                .iter()
                .any(|w| example.contains(w)),
            "{row}"
        );
    }
    // The outage's phrase, as people wrote it, stands out too.
    let phrases: Vec<&str> = rows
        .iter()
        .filter(|r| r["kind"] == "phrase")
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert!(phrases.contains(&"can't log"), "{phrases:?}");
    println!(
        "outage day: {} rows flagged ({} website, phrases {phrases:?})",
        rows.len(),
        website.len()
    );
    // Reading those examples is in the access audit.
    let audited = pipeline
        .query("SELECT count(), sum(rows) FROM access_audit WHERE endpoint = '/api/v1/themes/emerging' FORMAT TSV")
        .await
        .unwrap();
    let audited: Vec<u64> = audited
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    assert_eq!(audited[0], 1, "{audited:?}");
    assert!(audited[1] >= 3 * website.len() as u64, "{audited:?}");

    // The 35 calm days before it: nothing flagged, for any service, theme or phrase.
    let mut calm_rows = Vec::new();
    for last in ["2026-11-17", "2026-10-31"] {
        let (status, calm) = pipeline
            .api_get(&format!("/api/v1/themes/emerging?day={last}&days=17"))
            .await;
        assert_eq!(status, 200, "{calm}");
        calm_rows.extend(calm.as_array().unwrap().clone());
    }
    // Each calm day judges every theme of every service with comments, and the comments in
    // all: the false alarms over those judgements.
    let judged = pipeline
        .query(
            "SELECT count() FROM (SELECT DISTINCT service_id, theme FROM comment_readings \
             ARRAY JOIN arrayConcat(themes, ['']) AS theme) FORMAT TSV",
        )
        .await
        .unwrap();
    let series: u64 = judged.trim().parse().unwrap();
    println!(
        "calm days: {} flagged of about {} series judged on each of 34 days; {:.1}s in all",
        calm_rows.len(),
        series,
        started.elapsed().as_secs_f64()
    );
    assert!(calm_rows.is_empty(), "{calm_rows:#?}");
}
