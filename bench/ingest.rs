//! Ingest benchmark: prints, from one run on the same machine and servers,
//! - gateway throughput (HTTP → Kafka acknowledged) against producing the same envelopes
//!   straight with rdkafka;
//! - sink throughput (Kafka → ClickHouse) against inserting the same rows with
//!   `clickhouse-client … FORMAT JSONEachRow`;
//! - sink throughput into the local 2 × 2 cluster (`scripts/cluster-up`, cluster mode with
//!   synchronous distributed inserts) against the same sink into one node, reading the
//!   same topics;
//! - freshness (POST answered → visible in ClickHouse) at a steady rate, p50/p99;
//! - peak resident memory of the gateway and the sink.
//!
//! Run with `bench/ingest.sh` (starts the servers, builds in release). `BENCH_EVENTS`
//! (default 1 000 000) sets the volume.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use civicpulse_core::event::{Channel, Event, Feedback, Milestone, MilestoneKind, Offered};
use civicpulse_core::Envelope;
use civicpulse_testkit::config as testkit_config;
use civicpulse_testkit::process::Spawned;
use futures::stream::{self, StreamExt};
use rdkafka::producer::{FutureProducer, FutureRecord};
use uuid::Uuid;

const KEY: &str = "bench-key";
const PER_REQUEST: usize = 1000;
const CLICKHOUSE: &str = "http://127.0.0.1:8123";
/// The first replica of the cluster `scripts/cluster-up` starts.
const CLUSTER: &str = "http://127.0.0.1:19010";

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    runtime.block_on(run());
}

struct Bench {
    dir: tempfile::TempDir,
    config: PathBuf,
    /// The same pipeline in cluster mode, its own database and consumer group.
    cluster_config: PathBuf,
    cluster_database: String,
    database: String,
    prefix: String,
    gateway_port: u16,
    http: reqwest::Client,
}

async fn run() {
    let total: usize = std::env::var("BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let bench = Bench::new();
    bench.civicpulse(&["migrate"]).wait().expect("migrate");
    eprintln!("generating {total} events");
    let events = generate(total);
    let bodies: Vec<Vec<u8>> = events
        .chunks(PER_REQUEST)
        .map(|chunk| serde_json::to_vec(chunk).expect("events serialize"))
        .collect();

    // 1. Gateway: HTTP → Kafka acknowledged, no sink running.
    let gateway = bench.civicpulse(&["gateway"]);
    bench.wait_ready().await;
    let started = Instant::now();
    let accepted = bench.post_all(&bodies, 8).await;
    let gateway_secs = started.elapsed().as_secs_f64();
    assert_eq!(accepted, total, "every event must be accepted");

    // Reference: the same envelopes produced straight with rdkafka (acks=all, idempotent)
    // to topics laid out like the gateway's.
    let reference = civicpulse_core::config::KafkaConfig {
        topic_prefix: format!("{}_reference", bench.prefix),
        ..Default::default()
    };
    civicpulse_ingest::topics::ensure_topics(&reference, &Default::default())
        .await
        .expect("reference topics");
    let envelopes: Vec<Message> = events
        .iter()
        .map(|e| Message {
            topic: reference.topic(e.kind()),
            key: e.partition_key().to_string(),
            payload: serde_json::to_vec(&Envelope::new(e.clone(), "bench", Utc::now()))
                .expect("serializes"),
        })
        .collect();
    let produce_secs = produce_reference(&envelopes).await;

    // 2. Sink: Kafka → ClickHouse, from a standing start on the filled topics.
    let sink = bench.civicpulse(&["sink"]);
    let started = Instant::now();
    bench
        .wait_rows(total as u64, Duration::from_secs(1800))
        .await;
    let sink_secs = started.elapsed().as_secs_f64();

    // References: the same rows through clickhouse-client into identical empty tables, and
    // the same topics read by a bare rdkafka consumer (the broker's pace, no ClickHouse).
    let insert_secs = insert_reference(&bench).await;
    let consume_secs = consume_reference(&bench.prefix, total).await;

    // The same topics into the cluster, by a sink of its own group.
    bench
        .civicpulse_with(&bench.cluster_config, &["migrate"], "migrate-cluster")
        .wait()
        .expect("migrate on the cluster");
    let cluster_sink = bench.civicpulse_with(&bench.cluster_config, &["sink"], "sink-cluster");
    let started = Instant::now();
    while bench.cluster_rows().await < total as u64 {
        assert!(
            started.elapsed() < Duration::from_secs(1800),
            "cluster sink too slow"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let cluster_secs = started.elapsed().as_secs_f64();
    drop(cluster_sink);

    // 3. Freshness at a steady rate, with gateway and sink running.
    let rate = 2000.0;
    let (p50, p99) = freshness(&bench, rate, Duration::from_secs(20)).await;

    let gateway_rss = peak_rss_mb(gateway.pid().as_raw() as u32);
    let sink_rss = peak_rss_mb(sink.pid().as_raw() as u32);
    drop((gateway, sink));

    let gateway_rate = total as f64 / gateway_secs;
    let produce_rate = total as f64 / produce_secs;
    let sink_rate = total as f64 / sink_secs;
    let insert_rate = total as f64 / insert_secs;
    let consume_rate = total as f64 / consume_secs;
    let cluster_rate = total as f64 / cluster_secs;
    println!();
    println!(
        "Civic Pulse ingest benchmark: {total} events, {} per request, same machine and servers",
        PER_REQUEST
    );
    println!("| measure | ours | reference | ours / reference |");
    println!("|---|---|---|---|");
    println!("| HTTP → Kafka acked (gateway) vs rdkafka produce | {gateway_rate:.0} events/s | {produce_rate:.0} msg/s | {:.2} |", gateway_rate / produce_rate);
    println!("| Kafka → ClickHouse (sink) vs clickhouse-client JSONEachRow | {sink_rate:.0} rows/s | {insert_rate:.0} rows/s | {:.3} |", sink_rate / insert_rate);
    println!("| Kafka → ClickHouse (sink) vs rdkafka consume only, same topics | {sink_rate:.0} rows/s | {consume_rate:.0} msg/s | {:.2} |", sink_rate / consume_rate);
    println!("| Kafka → ClickHouse cluster 2×2 (sink, synchronous distributed inserts) vs the same sink into one node | {cluster_rate:.0} rows/s | {sink_rate:.0} rows/s | {:.2} |", cluster_rate / sink_rate);
    println!(
        "| freshness at {rate:.0} events/s, POST → visible | p50 {p50:.2} s, p99 {p99:.2} s | | |"
    );
    println!("| peak RSS | gateway {gateway_rss:.0} MB, sink {sink_rss:.0} MB | | |");
}

impl Bench {
    fn new() -> Bench {
        let dir = tempfile::tempdir().expect("temp dir");
        let tag = &Uuid::new_v4().simple().to_string()[..8];
        let prefix = format!("bench_{tag}");
        let mut config = testkit_config::isolated(&prefix, &root().join("catalog.toml"));
        config.gateway.max_events_per_request = PER_REQUEST;
        testkit_config::accept_key(&mut config, "bench", KEY);
        let gateway_port = config.gateway.listen.port();
        let mut cluster = config.clone();
        cluster.clickhouse.url = CLUSTER.into();
        cluster.clickhouse.cluster = "civicpulse".into();
        cluster.clickhouse.alter_cluster = "civicpulse_alter".into();
        cluster.clickhouse.database = format!("{prefix}_cluster");
        cluster.sink.group_id = format!("{prefix}_cluster_sink");
        cluster.sink.metrics_listen =
            std::net::SocketAddr::from(([127, 0, 0, 1], civicpulse_testkit::ports::free_port()));
        let cluster_dir = dir.path().join("cluster");
        std::fs::create_dir_all(&cluster_dir).expect("a folder");
        let cluster_database = cluster.clickhouse.database.clone();
        let cluster_config = testkit_config::write(&cluster, &cluster_dir);
        let config = testkit_config::write(&config, dir.path());
        Bench {
            dir,
            config,
            cluster_config,
            cluster_database,
            database: prefix.clone(),
            prefix,
            gateway_port,
            http: reqwest::Client::new(),
        }
    }

    /// Starts `civicpulse <args>`; the child is killed when the returned handle drops, so a
    /// failed run leaves no process behind.
    fn civicpulse(&self, args: &[&str]) -> Spawned {
        self.civicpulse_with(&self.config, args, args[0])
    }

    /// Starts `civicpulse <args>` with the configuration `config`, logging to `name`.log.
    fn civicpulse_with(&self, config: &Path, args: &[&str], name: &str) -> Spawned {
        let mut command = Command::new(env!("CARGO_BIN_EXE_civicpulse"));
        command
            .arg("--config")
            .arg(config)
            .args(args)
            .env("RUST_LOG", "warn");
        let log = self.dir.path().join(format!("{name}.log"));
        Spawned::start(command, name, log).expect("civicpulse starts")
    }

    /// Rows the cluster's sink has stored, over every shard.
    async fn cluster_rows(&self) -> u64 {
        self.rows_at(CLUSTER, &self.cluster_database).await
    }

    /// Raw rows stored in `database` of the server at `url` (0 while it cannot say).
    async fn rows_at(&self, url: &str, database: &str) -> u64 {
        let sql = "SELECT (SELECT count() FROM feedback) + (SELECT count() FROM milestones) + (SELECT count() FROM offered)";
        let Ok(response) = self
            .http
            .post(format!("{url}/?database={database}"))
            .body(sql)
            .send()
            .await
        else {
            return 0;
        };
        response
            .text()
            .await
            .ok()
            .and_then(|text| text.trim().parse().ok())
            .unwrap_or(0)
    }

    async fn wait_ready(&self) {
        for _ in 0..200 {
            if let Ok(r) = self
                .http
                .get(format!("http://127.0.0.1:{}/readyz", self.gateway_port))
                .send()
                .await
            {
                if r.status().is_success() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("gateway not ready");
    }

    /// POSTs every body with `concurrency` requests in flight; returns events accepted.
    async fn post_all(&self, bodies: &[Vec<u8>], concurrency: usize) -> usize {
        let url = Arc::new(format!("http://127.0.0.1:{}/v1/events", self.gateway_port));
        stream::iter(bodies.iter().cloned())
            .map(|body| {
                let (http, url) = (self.http.clone(), url.clone());
                async move {
                    loop {
                        let response = http
                            .post(url.as_str())
                            .bearer_auth(KEY)
                            .header("content-type", "application/json")
                            .body(body.clone())
                            .send()
                            .await
                            .expect("gateway answers");
                        if response.status() == 503 {
                            tokio::time::sleep(Duration::from_millis(200)).await;
                            continue;
                        }
                        assert_eq!(response.status(), 200);
                        let answer: serde_json::Value = response.json().await.expect("json");
                        return answer["accepted"].as_u64().unwrap_or(0) as usize;
                    }
                }
            })
            .buffer_unordered(concurrency)
            .fold(0, |sum, n| async move { sum + n })
            .await
    }

    async fn query(&self, sql: &str) -> String {
        self.http
            .post(format!("{CLICKHOUSE}/?database={}", self.database))
            .body(sql.to_string())
            .send()
            .await
            .expect("clickhouse answers")
            .text()
            .await
            .expect("text")
    }

    async fn rows(&self) -> u64 {
        self.rows_at(CLICKHOUSE, &self.database).await
    }

    async fn wait_rows(&self, expected: u64, timeout: Duration) {
        let started = Instant::now();
        while self.rows().await < expected {
            assert!(started.elapsed() < timeout, "sink too slow");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// A realistic mix: 60 % milestones, 25 % offered, 15 % feedback (a fifth with comments).
fn generate(total: usize) -> Vec<Event> {
    let now = Utc::now() - chrono::Duration::hours(1);
    (0..total)
        .map(|i| {
            let event_id = Uuid::new_v4();
            let case_ref = format!("case-{}", i / 6);
            match i % 20 {
                0..=11 => Event::Milestone(Milestone {
                    event_id,
                    occurred_at: now,
                    service_id: "passport-in-person".into(),
                    case_ref,
                    milestone: MilestoneKind::Received,
                    channel: Channel::InPerson,
                    region: Some("ON".into()),
                    outcome: None,
                    service_option: None,
                }),
                12..=16 => Event::Offered(Offered {
                    event_id,
                    occurred_at: now,
                    service_id: "old-age-security".into(),
                    channel: Channel::Web,
                    stage: None,
                    case_ref: Some(case_ref),
                    survey_offered: true,
                }),
                _ => Event::Feedback(Feedback {
                    event_id,
                    occurred_at: now,
                    service_id: "old-age-security".into(),
                    channel: Some(Channel::Web),
                    given_through: None,
                    stage: Some("outcome".into()),
                    case_ref: Some(case_ref),
                    answers: civicpulse_core::event::Answers {
                        satisfaction: Some(4),
                        ease: Some(5),
                        ..Default::default()
                    },
                    helpful: Some(true),
                    reason: None,
                    comment: (i % 100 == 19).then(|| "Quick and easy, thank you.".to_string()),
                    segment: None,
                }),
            }
        })
        .collect()
}

struct Message {
    topic: String,
    key: String,
    payload: Vec<u8>,
}

async fn produce_reference(messages: &[Message]) -> f64 {
    let producer: FutureProducer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", "127.0.0.1:9092")
        .set("enable.idempotence", "true")
        .set("acks", "all")
        .set("linger.ms", "5")
        .set("queue.buffering.max.messages", "1000000")
        .create()
        .expect("producer");
    let started = Instant::now();
    for chunk in messages.chunks(50_000) {
        let deliveries: Vec<_> = chunk
            .iter()
            .map(|m| {
                producer
                    .send_result(FutureRecord::to(&m.topic).key(&m.key).payload(&m.payload))
                    .expect("queued")
            })
            .collect();
        for delivery in deliveries {
            delivery
                .await
                .expect("not cancelled")
                .expect("acknowledged");
        }
    }
    started.elapsed().as_secs_f64()
}

/// Reads the pipeline's event topics from the start with a new group, storing nothing.
async fn consume_reference(prefix: &str, total: usize) -> f64 {
    use rdkafka::consumer::{Consumer, StreamConsumer};
    let consumer: StreamConsumer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", "127.0.0.1:9092")
        .set("group.id", format!("{prefix}_reference_reader"))
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .create()
        .expect("consumer");
    let topics: Vec<String> = ["feedback", "milestone", "offered"]
        .iter()
        .map(|k| format!("{prefix}.{k}.v1"))
        .collect();
    consumer
        .subscribe(&topics.iter().map(String::as_str).collect::<Vec<_>>())
        .expect("subscribed");
    let started = Instant::now();
    let mut read = 0;
    while read < total {
        consumer.recv().await.expect("message");
        read += 1;
    }
    started.elapsed().as_secs_f64()
}

/// Dumps what the sink stored (untimed), then times clickhouse-client inserting it into
/// identical empty tables.
async fn insert_reference(bench: &Bench) -> f64 {
    let mut seconds = 0.0;
    for table in ["feedback", "feedback_comments", "milestones", "offered"] {
        let file = bench.dir.path().join(format!("{table}.jsonl"));
        let dump = bench
            .query(&format!("SELECT * FROM {table} FORMAT JSONEachRow"))
            .await;
        std::fs::write(&file, dump).expect("dump written");
        bench
            .query(&format!("CREATE TABLE {table}_reference AS {table}"))
            .await;
        let started = Instant::now();
        let status = Command::new("clickhouse-client")
            .arg("--database")
            .arg(&bench.database)
            .arg("--query")
            .arg(format!("INSERT INTO {table}_reference FORMAT JSONEachRow"))
            .stdin(std::fs::File::open(&file).expect("dump"))
            .status()
            .expect("clickhouse-client runs");
        seconds += started.elapsed().as_secs_f64();
        assert!(status.success());
    }
    seconds
}

/// Sends offered events tagged by request number at a steady rate; a poller notes when
/// each request's events are all visible. Returns p50 and p99 seconds.
async fn freshness(bench: &Bench, rate: f64, duration: Duration) -> (f64, f64) {
    let per_request = 100;
    let requests = (rate * duration.as_secs_f64() / per_request as f64) as usize;
    let interval = Duration::from_secs_f64(per_request as f64 / rate);
    let url = format!("http://127.0.0.1:{}/v1/events", bench.gateway_port);
    let answered = Arc::new(std::sync::Mutex::new(vec![None::<Instant>; requests]));
    let sender = {
        let (http, answered) = (bench.http.clone(), answered.clone());
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(interval);
            for seq in 0..requests {
                ticker.tick().await;
                let events: Vec<Event> = (0..per_request)
                    .map(|_| {
                        Event::Offered(Offered {
                            event_id: Uuid::new_v4(),
                            occurred_at: Utc::now(),
                            service_id: "old-age-security".into(),
                            channel: Channel::Web,
                            stage: Some(format!("fresh-{seq}")),
                            case_ref: None,
                            survey_offered: true,
                        })
                    })
                    .collect();
                let (http, url, answered) = (http.clone(), url.clone(), answered.clone());
                tokio::spawn(async move {
                    let response = http
                        .post(&url)
                        .bearer_auth(KEY)
                        .json(&events)
                        .send()
                        .await
                        .expect("answer");
                    assert_eq!(response.status(), 200);
                    answered.lock().expect("lock")[seq] = Some(Instant::now());
                });
            }
        })
    };
    let mut visible = vec![None::<Instant>; requests];
    let deadline = Instant::now() + duration + Duration::from_secs(60);
    while visible.iter().any(Option::is_none) && Instant::now() < deadline {
        let counts = bench
            .query("SELECT stage, count() FROM offered WHERE stage LIKE 'fresh-%' GROUP BY stage FORMAT TSV")
            .await;
        let now = Instant::now();
        for line in counts.lines() {
            let mut fields = line.split('\t');
            let (Some(stage), Some(count)) = (fields.next(), fields.next()) else {
                continue;
            };
            let seq: usize = stage
                .trim_start_matches("fresh-")
                .parse()
                .unwrap_or(usize::MAX);
            if seq < requests
                && count.parse::<usize>().unwrap_or(0) >= per_request
                && visible[seq].is_none()
            {
                visible[seq] = Some(now);
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    sender.await.expect("sender");
    let answered = answered.lock().expect("lock").clone();
    let mut delays: Vec<f64> = answered
        .iter()
        .zip(&visible)
        .filter_map(|(a, v)| {
            Some(
                v.as_ref()?
                    .saturating_duration_since(*a.as_ref()?)
                    .as_secs_f64(),
            )
        })
        .collect();
    assert_eq!(delays.len(), requests, "some events never became visible");
    delays.sort_by(f64::total_cmp);
    let at = |q: f64| delays[((delays.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.99))
}

fn peak_rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}
