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
