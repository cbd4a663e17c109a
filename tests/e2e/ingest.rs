//! The happy and the unhappy paths of ingest, as a client and an analyst see them.

use std::collections::HashSet;
use std::time::Duration;

use rdkafka::message::{Headers, Message};
use rdkafka::producer::{FutureProducer, FutureRecord};
use serde_json::{json, Value};

use crate::support::*;

/// N valid events, repeats inside a request, repeats across requests and invalid events:
/// ClickHouse holds exactly the valid unique events, and every invalid one got its reason.
#[tokio::test(flavor = "multi_thread")]
async fn clickhouse_holds_exactly_the_valid_unique_events() {
    require_shared_servers();
    let mut pipeline = Pipeline::new(Settings::default());
    let _run = pipeline.start_gateway("run").await;

    let mix = valid_mix(600);
    let valid = &mix.events;
    // Invalid events, each with the field the gateway must name.
    let mut unknown_service = feedback("passport-in-person", "in_person", 4, None);
    unknown_service["service_id"] = json!("moon-base");
    let mut rating = feedback("passport-in-person", "in_person", 4, None);
    rating["answers"]["trust"] = json!(6);
    let mut future = milestone("passport-in-person", "c-future", "received");
    future["occurred_at"] =
        json!((chrono::Utc::now() + chrono::Duration::minutes(30)).to_rfc3339());
    let mut bad_uuid = offered("old-age-security");
    bad_uuid["event_id"] = json!("1234");
    let long_comment = "a".repeat(2001);
    let oversized = feedback("passport-in-person", "in_person", 4, Some(&long_comment));
    let invalid = [
        (unknown_service, "service_id"),
        (rating, "answers.trust"),
        (future, "occurred_at"),
        (bad_uuid, "event_id"),
        (oversized, "comment"),
    ];

    // Request 1: the first half, each invalid event, and a repeat of its first 20 events.
    let mut first: Vec<Value> = valid[..300].to_vec();
    first.extend(invalid.iter().map(|(e, _)| e.clone()));
    first.extend(valid[..20].iter().cloned());
    let (status, body) = pipeline.post(&first).await;
    assert_eq!(status, 207, "{body}");
    assert_eq!(body["accepted"], 300);
    assert_eq!(body["duplicates"], 20);
    assert_eq!(body["rejected"], invalid.len());
    for (i, (_, field)) in invalid.iter().enumerate() {
        let result = &body["results"][300 + i];
        assert_eq!(result["status"], "rejected");
        assert_eq!(result["errors"][0]["field"], *field, "{result}");
        assert!(result["errors"][0]["reason"].as_str().unwrap().len() > 5);
    }
    assert_eq!(body["results"][305]["duplicate_of"], 0);

    // Request 2: the second half plus 50 events already sent in request 1 (a client retry).
    let mut second: Vec<Value> = valid[300..].to_vec();
    second.extend(valid[100..150].iter().cloned());
    let (status, body) = pipeline.post(&second).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["accepted"], 350);

    // Request 3: only invalid events: nothing accepted, 400.
    let (status, body) = pipeline
        .post(&[invalid[0].0.clone(), invalid[1].0.clone()])
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["accepted"], 0);

    let timeout = Duration::from_secs(60);
    pipeline.wait_counts(&mix, timeout).await;
    let ids: HashSet<String> = pipeline
        .query("SELECT toString(event_id) FROM feedback FINAL")
        .await
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    let sent: HashSet<String> = valid
        .iter()
        .filter(|e| e["kind"] == "feedback")
        .map(|e| e["event_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        ids, sent,
        "stored feedback ids differ from the valid ones sent"
    );
}

/// The comment of the test's one stored feedback, once the sink has stored it.
async fn the_one_stored_comment(pipeline: &Pipeline) -> String {
    pipeline
        .wait_count("feedback_comments", 1, Duration::from_secs(30))
        .await;
    pipeline
        .query("SELECT comment FROM feedback_comments FINAL")
        .await
        .unwrap()
}

/// Comments are scrubbed before Kafka: neither the topic nor ClickHouse sees the PII.
#[tokio::test(flavor = "multi_thread")]
async fn personal_data_in_comments_never_reaches_kafka_or_clickhouse() {
    require_shared_servers();
    let mut pipeline = Pipeline::new(Settings::default());
    let _run = pipeline.start_gateway("run").await;
    let comment = "Call me on (613) 555-0199 or mail jo@example.org, passport GA302922, SIN 046 454 286, K1A 0B1, IBAN FR7630006000011234567890189, card 4012.8888.8888.1881, jane dot doe at gmail dot com";
    let event = feedback("passport-in-person", "in_person", 2, Some(comment));
    let (status, body) = pipeline.post(&[event]).await;
    assert_eq!(status, 200, "{body}");

    let messages = read_topic(
        &pipeline.kafka,
        &pipeline.topic("feedback"),
        1,
        Duration::from_secs(30),
    );
    assert_eq!(messages.len(), 1);
    let payload = String::from_utf8(messages[0].payload().unwrap().to_vec()).unwrap();
    for secret in [
        "555-0199",
        "jo@example.org",
        "GA302922",
        "046 454 286",
        "K1A 0B1",
        "FR76",
        "8888.8888",
        "gmail",
    ] {
        assert!(
            !payload.contains(secret),
            "{secret} reached Kafka: {payload}"
        );
    }
    let stored = the_one_stored_comment(&pipeline).await;
    assert_eq!(
        stored.trim(),
        "Call me on ### or mail ###, passport ###, SIN ###, ###, IBAN ###, card ###, ###"
    );
    // The service team reads it scrubbed, with nothing that points back at the person.
    let (status, comments) = pipeline
        .api_get("/api/v1/feedback/comments?service_id=passport-in-person")
        .await;
    assert_eq!(status, 200, "{comments}");
    let comments = comments.as_array().unwrap();
    assert_eq!(comments.len(), 1, "{comments:?}");
    assert_eq!(
        comments[0]["comment"],
        "Call me on ### or mail ###, passport ###, SIN ###, ###, IBAN ###, card ###, ###"
    );
    // The comment's event id (to correct its themes) and what the model read in it; never
    // its case reference or the respondent's segment.
    let fields: Vec<&String> = comments[0].as_object().unwrap().keys().collect();
    assert_eq!(
        fields,
        [
            "channel",
            "comment",
            "corrected",
            "event_id",
            "evidence",
            "language",
            "model",
            "occurred_at",
            "sentiment",
            "sentiment_score",
            "service_id",
            "themes"
        ]
    );
}

/// Shapes serde would accept by default, text that is not text and identifiers carrying
/// contact details: each item is refused naming its field, or stored cleaned.
#[tokio::test(flavor = "multi_thread")]
async fn hostile_shapes_text_and_identifiers_are_refused_or_cleaned() {
    require_shared_servers();
    let mut pipeline = Pipeline::new(Settings::default());
    let _run = pipeline.start_gateway("run").await;
    let item = |patch: &dyn Fn(&mut Value)| {
        let mut event = feedback("passport-in-person", "in_person", 4, None);
        patch(&mut event);
        serde_json::to_string(&event).unwrap()
    };
    let twice = |field: &str, value: &str| {
        let text = item(&|_| {});
        text.replacen('{', &format!("{{\"{field}\": {value}, "), 1)
    };
    let nested_twice = item(&|_| {}).replace(
        "\"satisfaction\":4",
        "\"satisfaction\":4,\"satisfaction\":1",
    );
    let body = [
        item(&|e| e["answers"] = json!([4])),
        item(&|e| e["segment"] = json!(["75_plus", "ON"])),
        twice("service_id", "\"old-age-security\""),
        twice("event_id", "\"7f1c1a52-3f52-4d0e-9d4b-8a1de0f3c0a1\""),
        nested_twice,
        item(&|e| e["case_ref"] = json!("c-1\u{202E}")),
        item(&|e| e["case_ref"] = json!("jane@example.ca")),
        item(&|e| e["stage"] = json!("613-555-0199")),
        item(&|e| e["case_ref"] = json!("c\u{00AD}1")),
        item(&|e| e["segment"] = json!({"region": "K1A0B1"})),
        item(&|e| {
            let at = e["occurred_at"].as_str().unwrap().replace("+00:00", " UTC");
            e["occurred_at"] = json!(at)
        }),
        item(&|e| {
            let at = format!(" {}", e["occurred_at"].as_str().unwrap());
            e["occurred_at"] = json!(at)
        }),
        item(&|e| {
            e["comment"] = json!("fine\u{0}\u{1b}[2J \u{202E}ok, call 613\u{2061} 555 \u{00AD}0199")
        }),
    ];
    let (status, answer) = pipeline
        .client()
        .post_raw(format!("[{}]", body.join(",")))
        .await;
    assert_eq!(status, 207, "{answer}");
    let fields: Vec<Value> = answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["errors"][0]["field"].clone())
        .collect();
    let expected = [
        "answers",
        "segment",
        "service_id",
        "event_id",
        "answers.satisfaction",
        "case_ref",
        "case_ref",
        "stage",
        "case_ref",
        "segment.region",
        "occurred_at",
        "occurred_at",
    ];
    for (index, field) in expected.iter().enumerate() {
        assert_eq!(fields[index], json!(field), "item {index}: {answer}");
    }
    assert_eq!(answer["results"][12]["status"], "accepted", "{answer}");
    let stored = the_one_stored_comment(&pipeline).await;
    assert_eq!(stored.trim(), "fine[2J ok, call ###");
}

/// Keys, sizes and content types: each refusal is JSON with a fitting status.
#[tokio::test(flavor = "multi_thread")]
async fn requests_are_refused_with_json_errors_that_fit() {
    require_shared_servers();
    let mut pipeline = Pipeline::new(Settings {
        max_body_bytes: 20_000,
        max_events_per_request: 50,
        ..Settings::default()
    });
    let _gateway = pipeline.start_gateway("gateway").await;
    let url = format!("{}/v1/events", pipeline.gateway_url());
    let events = json!([offered("old-age-security")]);

    let no_key = pipeline.http.post(&url).json(&events).send().await.unwrap();
    assert_eq!(no_key.status(), 401);
    assert!(no_key.headers().contains_key("www-authenticate"));
    assert_eq!(
        no_key.json::<Value>().await.unwrap()["error"]["code"],
        "unauthorized"
    );
    let wrong_key = pipeline
        .http
        .post(&url)
        .bearer_auth("guess")
        .json(&events)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_key.status(), 401);

    let big: Vec<Value> = (0..40)
        .map(|_| feedback("passport-in-person", "in_person", 3, Some(&"x".repeat(900))))
        .collect();
    let (status, body) = pipeline.post(&big).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["error"]["code"], "body_too_large");

    let many: Vec<Value> = (0..51).map(|_| offered("old-age-security")).collect();
    let (status, body) = pipeline.post(&many).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["error"]["code"], "too_many_events");

    let (status, body) = pipeline.post(&[]).await;
    assert_eq!(status, 400, "{body}");

    let not_json = pipeline
        .http
        .post(&url)
        .bearer_auth(API_KEY)
        .header("content-type", "application/json")
        .body("[{")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 400);
    assert_eq!(
        not_json.json::<Value>().await.unwrap()["error"]["code"],
        "bad_request"
    );

    // NDJSON with one unreadable line: the other lines are accepted.
    let ndjson = format!(
        "{}\nnot json\n{}\n",
        offered("old-age-security"),
        offered("old-age-security")
    );
    let response = pipeline
        .http
        .post(&url)
        .bearer_auth(API_KEY)
        .header("content-type", "application/x-ndjson")
        .body(ndjson)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 207);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["accepted"], 2);
    assert!(body["results"][1]["errors"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("line 2"));

    // Every request was counted by status.
    let metrics = pipeline.metrics(pipeline.gateway_port).await;
    assert!(
        metric_sum(&metrics, "civicpulse_gateway_requests_total") >= 7.0,
        "{metrics}"
    );
}

/// A message the sink cannot decode goes to the dead-letter topic with its reason, its
/// origin and its original bytes; the events after it are stored as usual.
#[tokio::test(flavor = "multi_thread")]
async fn undecodable_messages_go_to_the_dead_letter_topic() {
    require_shared_servers();
    let mut pipeline = Pipeline::new(Settings::default());
    let _run = pipeline.start_gateway("run").await;

    let producer: FutureProducer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", &pipeline.kafka)
        .create()
        .unwrap();
    let poison = b"{\"schema_version\": 1, \"truncated".to_vec();
    let delivery = producer
        .send(
            FutureRecord::to(&pipeline.topic("milestone"))
                .key("case-x")
                .payload(&poison),
            Duration::from_secs(5),
        )
        .await
        .expect("poison produced");

    let mix = valid_mix(30);
    let (status, _) = pipeline.post(&mix.events).await;
    assert_eq!(status, 200);
    pipeline
        .wait_count("milestones", mix.milestones, Duration::from_secs(60))
        .await;

    let letters = read_topic(
        &pipeline.kafka,
        &format!("{}.dead-letter.v1", pipeline.topic_prefix),
        1,
        Duration::from_secs(30),
    );
    assert_eq!(letters.len(), 1, "one dead letter expected");
    let letter = &letters[0];
    assert_eq!(letter.payload().unwrap(), poison.as_slice());
    assert_eq!(letter.key().unwrap(), b"case-x");
    let headers = letter.headers().expect("dead letters carry headers");
    let header = |name: &str| {
        headers
            .iter()
            .find(|h| h.key == name)
            .and_then(|h| h.value)
            .map(|v| String::from_utf8_lossy(v).into_owned())
            .unwrap_or_else(|| panic!("header {name} missing"))
    };
    assert!(header("civicpulse.reason").contains("not a v1 event envelope"));
    assert_eq!(
        header("civicpulse.source.topic"),
        pipeline.topic("milestone")
    );
    assert_eq!(
        header("civicpulse.source.partition"),
        delivery.partition.to_string()
    );
    assert_eq!(
        header("civicpulse.source.offset"),
        delivery.offset.to_string()
    );

    let metrics = pipeline.metrics(pipeline.gateway_port).await;
    assert_eq!(
        metric_sum(&metrics, "civicpulse_sink_dead_letters_total"),
        1.0
    );
}

/// Migrations are recorded and idempotent; `/api/v1/services` lists the catalog.
#[tokio::test(flavor = "multi_thread")]
async fn migrations_run_once_and_the_dashboard_lists_services() {
    require_shared_servers();
    let mut pipeline = Pipeline::new(Settings::default());
    pipeline.migrate();
    pipeline.migrate();
    let recorded = pipeline
        .query("SELECT version, name FROM schema_migrations ORDER BY version FORMAT TSV")
        .await
        .unwrap();
    let listed: String = civicpulse_store::migrate::MIGRATIONS
        .iter()
        .map(|m| format!("{}\t{}\n", m.version, m.name))
        .collect();
    assert!(listed.starts_with("1\tevents\n2\tsla\n"), "{listed}");
    assert_eq!(recorded, listed);
    let tables = pipeline.query("SHOW TABLES").await.unwrap();
    for table in ["feedback", "feedback_comments", "milestones", "offered"] {
        assert!(
            tables.lines().any(|t| t == table),
            "{table} missing: {tables}"
        );
    }

    let _api = pipeline.start_dashboard().await;
    let (status, services) = pipeline.api_get("/api/v1/services").await;
    assert_eq!(status, 200, "{services}");
    let services = services.as_array().unwrap();
    let ids: Vec<&str> = services.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert!(
        ids.contains(&"passport-in-person") && ids.contains(&"on-driver-licence-renewal"),
        "{ids:?}"
    );
}
