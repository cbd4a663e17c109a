//! What people write, through the whole pipeline: comments sent to the gateway are read for
//! themes by the aggregator, counted by `/api/v1/themes` beside the answers they came with,
//! shared out in the matrix's theme family, and leave with their case when it is erased; a
//! simulated website outage is found by `/api/v1/themes/emerging` on its day and nothing on
//! the calm weeks before it.

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
    let (_, doc) = pipeline.api_get("/api/v1/openapi.json").await;
    let schema = &doc["paths"]["/api/v1/themes/suggestions"]["get"]["responses"]["200"]["content"]
        ["application/json"]["schema"];
    crate::api::check(&doc, schema, &rows, "/api/v1/themes/suggestions").unwrap();
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
    // The rows are what the OpenAPI document says they are.
    let (_, doc) = pipeline.api_get("/api/v1/openapi.json").await;
    let schema = &doc["paths"]["/api/v1/themes/emerging"]["get"]["responses"]["200"]["content"]
        ["application/json"]["schema"];
    crate::api::check(&doc, schema, &rows, "/api/v1/themes/emerging").unwrap();
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

/// The loop of corrections, through the whole pipeline: an analyst corrects one comment's
/// themes and confirms another's through the API; `/api/v1/themes` follows at once; the
/// corrections export as labels; a model trained on them becomes the aggregator's, which
/// reads again every comment but the corrected ones, whose correction stands.
#[tokio::test(flavor = "multi_thread")]
async fn corrections_count_at_once_outlive_a_new_model_and_become_labels() {
    require_shared_servers();
    let catalog = civicpulse_core::Catalog::load(&repo_root().join("catalog.toml")).unwrap();
    let mut pipeline = Pipeline::new(Settings::default());
    pipeline.migrate();
    let _gateway = pipeline.start_gateway("gateway").await;
    let texts = [
        "Waited three hours in line, the queue never moved.",
        "The agent was very kind and patient, thank you.",
        "J'ai attendu deux heures au comptoir, c'est trop long.",
        "Site web en panne, impossible de payer les frais en ligne.",
    ];
    let mut events = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        let mut event = feedback("passport-in-person", "in_person", 2, Some(text));
        event["case_ref"] = json!(format!("P-CORRECT-{i}"));
        events.push(event);
    }
    let ids: Vec<String> = events
        .iter()
        .map(|e| e["event_id"].as_str().unwrap().to_string())
        .collect();
    let (status, body) = pipeline.post(&events).await;
    assert_eq!(status, 200, "{body}");
    let _sink = pipeline.spawn("sink");
    pipeline
        .wait_count("feedback_comments", 4, Duration::from_secs(30))
        .await;
    pipeline.spawn("aggregate").wait_success();
    let _api = pipeline.start_dashboard().await;

    // What an analyst reads: the comments about time, with the phrase that says so.
    let (status, about_time) = pipeline
        .api_get("/api/v1/feedback/comments?service_id=passport-in-person&theme=time")
        .await;
    assert_eq!(status, 200, "{about_time}");
    let listed = |rows: &Value, id: &str| -> Value {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["event_id"] == id)
            .unwrap_or_else(|| panic!("{id} is not in {rows}"))
            .clone()
    };
    let queue = listed(&about_time, &ids[0]);
    let seeds_model = queue["model"].as_str().unwrap().to_string();
    assert_eq!(seeds_model.len(), 64, "{queue}");
    let evidence = &queue["evidence"][0];
    let (start, end) = (
        evidence["start"].as_u64().unwrap() as usize,
        evidence["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&texts[0][start..end], evidence["phrase"].as_str().unwrap());
    listed(&about_time, &ids[2]);

    let now = chrono::Utc::now() - chrono::Duration::hours(3);
    let period = now
        .with_timezone(&catalog.reporting_zone())
        .format("%Y-%m")
        .to_string();
    let themes_path = format!("/api/v1/themes?service_id=passport-in-person&period={period}");
    let mentions = |rows: &Value, theme: &str| -> u64 {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["theme"] == theme)
            .map_or(0, |r| r["mentions"].as_u64().unwrap())
    };
    let (_, before) = pipeline.api_get(&themes_path).await;
    assert_eq!(mentions(&before, "waiting-time"), 2, "{before}");

    // The analyst says the queue comment is about appointments, and confirms the praise.
    let correct = |id: &str, body: Value| {
        let url = format!(
            "http://127.0.0.1:{}/api/v1/feedback/comments/{id}/themes",
            pipeline.dashboard_port
        );
        let request = pipeline.api.post(url).json(&body).send();
        async move {
            let response = request.await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    let (status, made) = correct(
        &ids[0],
        json!({"themes": ["appointments"], "sentiment": "negative", "note": "no slot to book"}),
    )
    .await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["model"], seeds_model.as_str());
    assert!(made["themes_before"]
        .as_array()
        .unwrap()
        .contains(&json!("waiting-time")));
    let (_, praise) = pipeline
        .api_get("/api/v1/feedback/comments?service_id=passport-in-person")
        .await;
    let praise_themes: Vec<Value> = listed(&praise, &ids[1])["themes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["theme"].clone())
        .collect();
    assert!(!praise_themes.is_empty(), "{praise}");
    let (status, confirmed) = correct(&ids[1], json!({"themes": praise_themes})).await;
    assert_eq!(status, 201, "{confirmed}");
    assert_eq!(confirmed["confirmed"], true);

    // Counts follow the analyst at once.
    let had_appointments = made["themes_before"]
        .as_array()
        .unwrap()
        .contains(&json!("appointments"));
    let appointments = mentions(&before, "appointments") + u64::from(!had_appointments);
    let (_, after) = pipeline.api_get(&themes_path).await;
    assert_eq!(mentions(&after, "waiting-time"), 1, "{after}");
    assert_eq!(mentions(&after, "appointments"), appointments, "{after}");
    let (_, booking) = pipeline
        .api_get("/api/v1/feedback/comments?theme=appointments&sentiment=negative")
        .await;
    let corrected = listed(&booking, &ids[0]);
    assert_eq!(corrected["corrected"], true);
    assert_eq!(
        corrected["themes"],
        json!([{"theme": "appointments", "score": 1.0}])
    );
    let (status, trail) = pipeline
        .api_get("/api/v1/themes/corrections?service_id=passport-in-person")
        .await;
    assert_eq!(status, 200, "{trail}");
    let trail = trail.as_array().unwrap();
    let mut corrected_ids: Vec<&str> = trail
        .iter()
        .map(|r| r["event_id"].as_str().unwrap())
        .collect();
    corrected_ids.sort();
    let mut expected = [ids[0].as_str(), ids[1].as_str()];
    expected.sort();
    assert_eq!(corrected_ids, expected);
    assert!(
        trail[0]["corrected_at"].as_str() >= trail[1]["corrected_at"].as_str(),
        "newest first: {trail:?}"
    );

    // The corrections, as labels `themes train` reads.
    let labels = pipeline.dir.path().join("corrections.csv");
    pipeline
        .spawn_args(
            &["themes", "labels", "--out", labels.to_str().unwrap()],
            &[],
        )
        .wait_success();
    let mut reader = csv::Reader::from_path(&labels).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2, "{header:?}");
    let queue_row = rows
        .iter()
        .find(|r| &r[column("id")] == ids[0].as_str())
        .unwrap();
    assert_eq!(&queue_row[column("text")], texts[0]);
    assert_eq!(&queue_row[column("appointments")], "1");
    assert_eq!(&queue_row[column("waiting-time")], "0");
    assert_eq!(&queue_row[column("sentiment")], "negative");

    // A model trained on them reads every comment again but the two corrected.
    let model = pipeline.dir.path().join("model.json");
    pipeline
        .spawn_args(
            &[
                "themes",
                "train",
                "--labels",
                labels.to_str().unwrap(),
                "--taxonomy",
                "catalog",
                "--out",
                model.to_str().unwrap(),
            ],
            &[],
        )
        .wait_success();
    pipeline.edit_config(|config| config.aggregator.themes_model = Some(model.clone()));
    pipeline.spawn("aggregate").wait_success();
    let readings = pipeline
        .query(
            "SELECT toString(event_id), model FROM comment_readings FINAL \
             ORDER BY toString(event_id) FORMAT TSV",
        )
        .await
        .unwrap();
    let read_by: std::collections::HashMap<&str, &str> = readings
        .lines()
        .map(|l| l.split_once('\t').unwrap())
        .collect();
    assert_eq!(read_by.len(), 4, "{readings}");
    assert_eq!(read_by[ids[0].as_str()], "analyst");
    assert_eq!(read_by[ids[1].as_str()], "analyst");
    let new_model = read_by[ids[2].as_str()];
    assert_eq!(read_by[ids[3].as_str()], new_model);
    assert!(
        new_model != seeds_model && new_model.len() == 64,
        "{readings}"
    );
    let newly_read = pipeline
        .query(&format!(
            "SELECT count() FROM comment_readings WHERE model = '{new_model}'"
        ))
        .await
        .unwrap();
    assert_eq!(
        newly_read.trim(),
        "2",
        "only the uncorrected comments are read again"
    );
    // The correction stands: the comment still reads as the analyst set it.
    let (_, booking) = pipeline
        .api_get("/api/v1/feedback/comments?theme=appointments&sentiment=negative")
        .await;
    let kept = listed(&booking, &ids[0]);
    assert_eq!(kept["corrected"], true, "{kept}");
    assert_eq!(
        kept["themes"],
        json!([{"theme": "appointments", "score": 1.0}])
    );
}
