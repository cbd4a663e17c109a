//! Harness of the end-to-end tests: real servers, real `civicpulse` processes.
//!
//! Shared Kafka (127.0.0.1:9092) and ClickHouse (127.0.0.1:8123) are started by
//! `scripts/test`; a test that finds them missing fails with that hint. Each test works in
//! its own topics, consumer group and database, so tests run in parallel. Tests that stop
//! a server start a private one on free ports instead of touching the shared ones.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use serde_json::{json, Value};
use uuid::Uuid;

pub const API_KEY: &str = "e2e-test-key";
pub const SHARED_KAFKA: &str = "127.0.0.1:9092";
pub const SHARED_CLICKHOUSE: &str = "http://127.0.0.1:8123";

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub use civicpulse_testkit::ports::free_port;

fn answers_tcp(addr: &str) -> bool {
    std::net::TcpStream::connect_timeout(
        &addr.parse().expect("socket address"),
        Duration::from_millis(500),
    )
    .is_ok()
}

/// Fails the test, with the way out, when a shared server is not running.
pub fn require_shared_servers() {
    assert!(
        answers_tcp(SHARED_KAFKA),
        "Kafka is not answering on {SHARED_KAFKA}: run the suite with scripts/test, which starts it"
    );
    assert!(
        answers_tcp("127.0.0.1:8123"),
        "ClickHouse is not answering on 127.0.0.1:8123: run the suite with scripts/test, which starts it"
    );
}

/// Polls `check` until it returns true or `timeout` passes; panics with `what` then.
pub async fn wait_until<F, Fut>(what: &str, timeout: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while started.elapsed() < timeout {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("timed out after {timeout:?} waiting for {what}");
}

/// A running `civicpulse` subcommand; killed when dropped.
pub struct Process {
    child: Child,
    pub name: String,
    pub log: PathBuf,
}

impl Process {
    pub fn pid(&self) -> Pid {
        Pid::from_raw(self.child.id() as i32)
    }

    pub fn signal(&self, signal: Signal) {
        kill(self.pid(), signal).expect("signal delivered");
    }

    /// Waits for the process to exit by itself; returns whether it exited successfully.
    pub async fn wait_exit(&mut self, timeout: Duration) -> bool {
        let started = Instant::now();
        while started.elapsed() < timeout {
            if let Some(status) = self.child.try_wait().expect("child status") {
                return status.success();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "{} did not exit within {timeout:?}; log: {}",
            self.name,
            self.log.display()
        );
    }

    /// Waits for the process to finish and asserts it succeeded; returns its log.
    pub fn wait_success(mut self) -> String {
        let status = self.child.wait().expect("process ran");
        let log = self.log_text();
        assert!(status.success(), "{} failed: {log}", self.name);
        log
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One test's private corner of the pipeline: its config file, topics, group and database.
pub struct Pipeline {
    pub dir: tempfile::TempDir,
    pub config_path: PathBuf,
    pub kafka: String,
    pub clickhouse: String,
    pub topic_prefix: String,
    pub database: String,
    pub gateway_port: u16,
    pub sink_metrics_port: u16,
    pub dashboard_port: u16,
    pub http: reqwest::Client,
    /// For the dashboard API: sends the test's read token.
    pub api: reqwest::Client,
    spawned: usize,
}

/// The dashboard read token every test pipeline accepts.
pub const DASHBOARD_TOKEN: &str = "e2e-dashboard-token";

/// Settings a test may change before the config file is written.
pub struct Settings {
    pub kafka: String,
    pub clickhouse: String,
    pub partitions: i32,
    pub sink_max_rows: usize,
    pub sink_max_wait_ms: u64,
    pub delivery_timeout_ms: u64,
    pub max_body_bytes: usize,
    pub max_events_per_request: usize,
    pub idempotent_producer: bool,
    /// The catalog's TOML (default: the repository's `catalog.toml`).
    pub catalog: Option<String>,
    /// `matrix.min_responses` (small-cell suppression).
    pub min_responses: u64,
    /// Header-read and body-read timeouts of the gateway and the dashboard API.
    pub client_timeout_secs: u64,
    /// Connections each HTTP service serves at once.
    pub max_connections: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            kafka: SHARED_KAFKA.into(),
            clickhouse: SHARED_CLICKHOUSE.into(),
            partitions: 4,
            sink_max_rows: 1000,
            sink_max_wait_ms: 300,
            delivery_timeout_ms: 5000,
            max_body_bytes: 1024 * 1024,
            max_events_per_request: 2000,
            idempotent_producer: false,
            catalog: None,
            min_responses: 10,
            client_timeout_secs: 10,
            max_connections: 1024,
        }
    }
}

impl Pipeline {
    pub fn new(settings: Settings) -> Pipeline {
        let dir = tempfile::tempdir().expect("temp dir");
        let tag = Uuid::new_v4().simple().to_string()[..10].to_string();
        let topic_prefix = format!("e2e_{tag}");
        let database = format!("e2e_{tag}");
        let (gateway_port, sink_metrics_port, dashboard_port) =
            (free_port(), free_port(), free_port());
        let key_hash = civicpulse_core::config::hash_secret(API_KEY);
        let token_hash = civicpulse_core::config::hash_secret(DASHBOARD_TOKEN);
        let catalog_path = match &settings.catalog {
            Some(text) => {
                let path = dir.path().join("catalog.toml");
                std::fs::write(&path, text).expect("catalog written");
                path
            }
            None => repo_root().join("catalog.toml"),
        };
        let config = format!(
            r#"
catalog_path = "{catalog}"
[kafka]
brokers = "{kafka}"
topic_prefix = "{topic_prefix}"
partitions = {partitions}
[clickhouse]
url = "{clickhouse}"
database = "{database}"
[gateway]
listen = "127.0.0.1:{gateway_port}"
delivery_timeout_ms = {delivery_timeout_ms}
max_body_bytes = {max_body_bytes}
max_events_per_request = {max_events}
retry_after_secs = 2
idempotent_producer = {idempotent}
[gateway.limits]
header_read_timeout_secs = {client_timeout}
body_read_timeout_secs = {client_timeout}
max_connections = {max_connections}
[[gateway.api_keys]]
source = "e2e"
sha256 = "{key_hash}"
[sink]
group_id = "{topic_prefix}_sink"
max_rows = {max_rows}
max_wait_ms = {max_wait}
retry_initial_ms = 100
retry_max_ms = 1000
metrics_listen = "127.0.0.1:{sink_metrics_port}"
[matrix]
min_responses = {min_responses}
[dashboard]
listen = "127.0.0.1:{dashboard_port}"
cache_secs = 0
[dashboard.limits]
header_read_timeout_secs = {client_timeout}
body_read_timeout_secs = {client_timeout}
max_connections = {max_connections}
[[dashboard.read_tokens]]
name = "e2e"
sha256 = "{token_hash}"
"#,
            catalog = catalog_path.display(),
            min_responses = settings.min_responses,
            client_timeout = settings.client_timeout_secs,
            max_connections = settings.max_connections,
            kafka = settings.kafka,
            partitions = settings.partitions,
            clickhouse = settings.clickhouse,
            delivery_timeout_ms = settings.delivery_timeout_ms,
            max_body_bytes = settings.max_body_bytes,
            max_events = settings.max_events_per_request,
            idempotent = settings.idempotent_producer,
            max_rows = settings.sink_max_rows,
            max_wait = settings.sink_max_wait_ms,
        );
        let config_path = dir.path().join("civicpulse.toml");
        std::fs::write(&config_path, config).expect("config written");
        Pipeline {
            dir,
            config_path,
            kafka: settings.kafka,
            clickhouse: settings.clickhouse,
            topic_prefix,
            database,
            gateway_port,
            sink_metrics_port,
            dashboard_port,
            http: reqwest::Client::new(),
            api: api_client(),
            spawned: 0,
        }
    }

    /// Starts `civicpulse <command>` with this pipeline's config.
    pub fn spawn(&mut self, command: &str) -> Process {
        self.spawn_with_env(command, &[])
    }

    /// Like `spawn`, with extra `CIVICPULSE_*` overrides for this process only.
    pub fn spawn_with_env(&mut self, command: &str, env: &[(&str, String)]) -> Process {
        self.spawn_args(&[command], env)
    }

    /// Starts `civicpulse <args…>` with this pipeline's config and extra environment.
    pub fn spawn_args(&mut self, args: &[&str], env: &[(&str, String)]) -> Process {
        let command = args[0];
        self.spawned += 1;
        let name = format!("{command}-{}", self.spawned);
        let log = self.dir.path().join(format!("{name}.log"));
        let out = std::fs::File::create(&log).expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_civicpulse"))
            .arg("--config")
            .arg(&self.config_path)
            .args(args)
            .env("RUST_LOG", "info,rdkafka=warn")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdin(Stdio::null())
            .stdout(out.try_clone().expect("log handle"))
            .stderr(out)
            .spawn()
            .expect("civicpulse starts");
        Process { child, name, log }
    }

    /// Runs `civicpulse migrate` to completion.
    pub fn migrate(&mut self) {
        self.spawn("migrate").wait_success();
    }

    /// Starts `civicpulse <command>` (`gateway` or `run`) and waits until the gateway is ready.
    pub async fn start_gateway(&mut self, command: &str) -> Process {
        let process = self.spawn(command);
        self.wait_gateway_ready(&process).await;
        process
    }

    /// Starts `civicpulse dashboard-api` and waits until it answers `/healthz`.
    pub async fn start_dashboard(&mut self) -> Process {
        let process = self.spawn("dashboard-api");
        let url = format!("http://127.0.0.1:{}/healthz", self.dashboard_port);
        let http = self.http.clone();
        wait_until(&format!("the dashboard API ({})", process.log.display()), Duration::from_secs(30), || {
            let (http, url) = (http.clone(), url.clone());
            async move { matches!(http.get(&url).send().await, Ok(r) if r.status().is_success()) }
        })
        .await;
        process
    }

    /// GET on the dashboard API with the read token; the status and the JSON body.
    pub async fn api_get(&self, path_and_query: &str) -> (u16, Value) {
        let response = self
            .api
            .get(format!(
                "http://127.0.0.1:{}{path_and_query}",
                self.dashboard_port
            ))
            .send()
            .await
            .expect("the dashboard API answers");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("{path_and_query}: {status}, not JSON: {text}"));
        (status, body)
    }

    pub fn gateway_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.gateway_port)
    }

    pub async fn wait_gateway_ready(&self, gateway: &Process) {
        let url = format!("{}/readyz", self.gateway_url());
        let http = self.http.clone();
        wait_until(&format!("the gateway (log {})", gateway.log.display()), Duration::from_secs(60), || {
            let (http, url) = (http.clone(), url.clone());
            async move { matches!(http.get(&url).send().await, Ok(r) if r.status().is_success()) }
        })
        .await;
    }

    pub fn client(&self) -> GatewayClient {
        GatewayClient {
            http: self.http.clone(),
            url: format!("{}/v1/events", self.gateway_url()),
        }
    }

    /// POSTs a JSON array of events with the test key.
    pub async fn post(&self, events: &[Value]) -> (u16, Value) {
        self.client().post(events).await
    }

    /// Runs a query on this test's database; the answer as text.
    pub async fn query(&self, sql: &str) -> Result<String, String> {
        let response = self
            .http
            .post(format!("{}/?database={}", self.clickhouse, self.database))
            .body(sql.to_string())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let ok = response.status().is_success();
        let text = response.text().await.map_err(|e| e.to_string())?;
        if ok {
            Ok(text)
        } else {
            Err(text)
        }
    }

    /// Distinct events a reader sees in `table` (FINAL collapses replays); 0 when
    /// ClickHouse does not answer.
    pub async fn count(&self, table: &str) -> u64 {
        self.query(&format!("SELECT count() FROM {table} FINAL"))
            .await
            .ok()
            .and_then(|t| t.trim().parse().ok())
            .unwrap_or(0)
    }

    pub async fn wait_count(&self, table: &str, expected: u64, timeout: Duration) {
        let started = Instant::now();
        let mut seen = 0;
        while started.elapsed() < timeout {
            seen = self.count(table).await;
            if seen == expected {
                return;
            }
            assert!(
                seen <= expected,
                "{table} holds {seen} events, more than the {expected} sent"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        panic!("{table} holds {seen} events after {timeout:?}, expected {expected}");
    }

    /// Waits until every table holds exactly the mix's events of its kind.
    pub async fn wait_counts(&self, mix: &Mix, timeout: Duration) {
        self.wait_count("feedback", mix.feedback, timeout).await;
        self.wait_count("milestones", mix.milestones, timeout).await;
        self.wait_count("offered", mix.offered, timeout).await;
    }

    pub async fn metrics(&self, port: u16) -> String {
        match self
            .http
            .get(format!("http://127.0.0.1:{port}/metrics"))
            .send()
            .await
        {
            Ok(response) => response.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    pub fn topic(&self, kind: &str) -> String {
        format!("{}.{kind}.v1", self.topic_prefix)
    }
}

fn api_client() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {DASHBOARD_TOKEN}")
            .parse()
            .expect("valid header"),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .expect("HTTP client")
}

/// A failed test keeps its processes' logs under `target/e2e-logs/<topic prefix>/`.
impl Drop for Pipeline {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            return;
        }
        let keep = repo_root().join("target/e2e-logs").join(&self.topic_prefix);
        if std::fs::create_dir_all(&keep).is_err() {
            return;
        }
        if let Ok(entries) = std::fs::read_dir(self.dir.path()) {
            for entry in entries.flatten() {
                let _ = std::fs::copy(entry.path(), keep.join(entry.file_name()));
            }
        }
        eprintln!("logs of the failed test's processes: {}", keep.display());
    }
}

/// What a client system holds: the gateway's address and the key.
#[derive(Clone)]
pub struct GatewayClient {
    http: reqwest::Client,
    url: String,
}

impl GatewayClient {
    /// POSTs a JSON array of events with the test key.
    pub async fn post(&self, events: &[Value]) -> (u16, Value) {
        let body = serde_json::to_string(events).expect("events serialize");
        self.post_raw(body).await
    }

    /// POSTs a body as written, for JSON a `Value` cannot hold (a key given twice).
    pub async fn post_raw(&self, body: String) -> (u16, Value) {
        let response = self
            .http
            .post(&self.url)
            .bearer_auth(API_KEY)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("gateway answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Posts `events` in requests of `per_request`, re-sending a request on 503 as a
    /// client should.
    pub async fn post_all(&self, events: &[Value], per_request: usize) {
        for chunk in events.chunks(per_request) {
            loop {
                let (status, body) = self.post(chunk).await;
                match status {
                    200 => break,
                    503 => tokio::time::sleep(Duration::from_millis(500)).await,
                    _ => panic!("unexpected {status}: {body}"),
                }
            }
        }
    }
}

/// Value of a counter/gauge line `name{labels} value` summed over its label sets.
pub fn metric_sum(exposition: &str, name: &str) -> f64 {
    exposition
        .lines()
        .filter(|line| line.starts_with(name) && !line.starts_with('#'))
        .filter(|line| matches!(line.as_bytes().get(name.len()), Some(b' ' | b'{')))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// A private server's process: killed at once on `stop` (as a crash or an outage would)
/// and when dropped.
#[derive(Default)]
pub struct ServerProcess(Option<Child>);

impl ServerProcess {
    pub fn stop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A ClickHouse server of the test's own, on free ports, with data in a temp dir, so a
/// test can stop and restart it.
pub struct PrivateClickHouse {
    pub dir: PathBuf,
    pub http_port: u16,
    tcp_port: u16,
    interserver_port: u16,
    process: ServerProcess,
}

impl PrivateClickHouse {
    pub async fn start(dir: &Path) -> PrivateClickHouse {
        let mut server = PrivateClickHouse {
            dir: dir.to_path_buf(),
            http_port: free_port(),
            tcp_port: free_port(),
            interserver_port: free_port(),
            process: ServerProcess::default(),
        };
        server.restart().await;
        server
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.http_port)
    }

    pub async fn restart(&mut self) {
        let d = &self.dir;
        for sub in ["data/tmp", "data/user_files", "data/format_schemas", "log"] {
            std::fs::create_dir_all(d.join(sub)).expect("clickhouse dirs");
        }
        let out = std::fs::File::create(d.join("log/stdout.log")).expect("log");
        let child = Command::new("clickhouse-server")
            .arg("--config-file=/etc/clickhouse-server/config.xml")
            .arg("--")
            .arg(format!("--path={}/data/", d.display()))
            .arg(format!("--tmp_path={}/data/tmp/", d.display()))
            .arg(format!(
                "--user_files_path={}/data/user_files/",
                d.display()
            ))
            .arg(format!(
                "--format_schema_path={}/data/format_schemas/",
                d.display()
            ))
            .arg(format!("--logger.log={}/log/server.log", d.display()))
            .arg(format!(
                "--logger.errorlog={}/log/server.err.log",
                d.display()
            ))
            .arg(format!("--http_port={}", self.http_port))
            .arg(format!("--tcp_port={}", self.tcp_port))
            .arg(format!("--interserver_http_port={}", self.interserver_port))
            .stdin(Stdio::null())
            .stdout(out.try_clone().expect("log handle"))
            .stderr(out)
            .spawn()
            .expect("clickhouse-server is installed (scripts/test installs it)");
        self.process.0 = Some(child);
        let url = format!("{}/?query=SELECT%201", self.url());
        wait_until("the private ClickHouse", Duration::from_secs(30), || {
            let url = url.clone();
            async move { matches!(reqwest::get(&url).await, Ok(r) if r.status().is_success()) }
        })
        .await;
    }

    /// Kills the server at once, as a crash or an outage would.
    pub fn stop(&mut self) {
        self.process.stop();
    }
}

/// A tansu broker of the test's own (sqlite storage in a temp dir) that a test may kill
/// and restart with its data.
pub struct PrivateKafka {
    pub dir: PathBuf,
    pub port: u16,
    process: ServerProcess,
}

impl PrivateKafka {
    pub async fn start(dir: &Path) -> PrivateKafka {
        let mut broker = PrivateKafka {
            dir: dir.to_path_buf(),
            port: free_port(),
            process: ServerProcess::default(),
        };
        broker.restart().await;
        broker
    }

    pub fn brokers(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Sends a signal to the broker (SIGSTOP/SIGCONT to hang and resume it).
    pub fn signal(&self, signal: Signal) {
        let child = self.process.0.as_ref().expect("broker running");
        kill(Pid::from_raw(child.id() as i32), signal).expect("signal delivered");
    }

    /// Starts the broker on its port again. tansu does not set SO_REUSEADDR, so after a
    /// kill the port stays taken for up to a minute (TIME_WAIT); keep trying until it binds.
    pub async fn restart(&mut self) {
        let started = Instant::now();
        loop {
            self.spawn_broker();
            tokio::time::sleep(Duration::from_millis(500)).await;
            let alive = self
                .process
                .0
                .as_mut()
                .is_some_and(|c| c.try_wait().ok().flatten().is_none());
            if alive {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "tansu cannot bind {} again",
                self.port
            );
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
        let addr = self.brokers();
        wait_until("the private Kafka broker", Duration::from_secs(30), || {
            let addr = addr.clone();
            async move { answers_tcp(&addr) }
        })
        .await;
    }

    fn spawn_broker(&mut self) {
        std::fs::create_dir_all(&self.dir).expect("kafka dir");
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("broker.log"))
            .expect("log");
        let url = format!("tcp://127.0.0.1:{}", self.port);
        let tansu = std::env::var("HOME")
            .map(|h| format!("{h}/.cargo/bin/tansu"))
            .unwrap_or("tansu".into());
        let child = Command::new(if Path::new(&tansu).exists() {
            tansu.as_str()
        } else {
            "tansu"
        })
        .current_dir(&self.dir)
        .args([
            "broker",
            "--listener-url",
            &url,
            "--advertised-listener-url",
            &url,
        ])
        .args(["--storage-engine", "sqlite://tansu.db"])
        .stdin(Stdio::null())
        .stdout(out.try_clone().expect("log handle"))
        .stderr(out)
        .spawn()
        .expect("tansu is installed (scripts/test installs it)");
        self.process.0 = Some(child);
    }

    pub fn stop(&mut self) {
        self.process.stop();
    }
}

/// Reads every message of `topic` from the beginning until `expected` were read or
/// `timeout` passed.
pub fn read_topic(
    brokers: &str,
    topic: &str,
    expected: usize,
    timeout: Duration,
) -> Vec<rdkafka::message::OwnedMessage> {
    use rdkafka::consumer::{BaseConsumer, Consumer};
    let consumer: BaseConsumer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", format!("reader-{}", Uuid::new_v4()))
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .create()
        .expect("reader consumer");
    consumer.subscribe(&[topic]).expect("subscribed");
    let started = Instant::now();
    let mut messages = Vec::new();
    while messages.len() < expected && started.elapsed() < timeout {
        if let Some(Ok(message)) = consumer.poll(Duration::from_millis(200)) {
            messages.push(message.detach());
        }
    }
    messages
}

// ---- events -----------------------------------------------------------------------

pub fn recent() -> String {
    (chrono::Utc::now() - chrono::Duration::hours(3)).to_rfc3339()
}

pub fn feedback(service: &str, channel: &str, satisfaction: u8, comment: Option<&str>) -> Value {
    let mut event = json!({
        "kind": "feedback", "event_id": Uuid::new_v4().to_string(), "occurred_at": recent(),
        "service_id": service, "channel": channel,
        "answers": {"satisfaction": satisfaction, "ease": 4},
        "segment": {"age_band": "35_44", "language": "fr"},
    });
    if let Some(comment) = comment {
        event["comment"] = json!(comment);
    }
    event
}

pub fn milestone(service: &str, case_ref: &str, kind: &str) -> Value {
    json!({
        "kind": "milestone", "event_id": Uuid::new_v4().to_string(), "occurred_at": recent(),
        "service_id": service, "case_ref": case_ref, "milestone": kind, "channel": "in_person",
    })
}

pub fn offered(service: &str) -> Value {
    json!({
        "kind": "offered", "event_id": Uuid::new_v4().to_string(), "occurred_at": recent(),
        "service_id": service, "channel": "web", "survey_offered": true,
    })
}

/// Valid events spread over the three kinds, with how many of each were made.
pub struct Mix {
    pub events: Vec<Value>,
    pub feedback: u64,
    pub milestones: u64,
    pub offered: u64,
}

/// `n` valid events spread over kinds.
pub fn valid_mix(n: usize) -> Mix {
    let mut mix = Mix {
        events: Vec::with_capacity(n),
        feedback: 0,
        milestones: 0,
        offered: 0,
    };
    for i in 0..n {
        match i % 3 {
            0 => {
                mix.events.push(feedback(
                    "passport-in-person",
                    "in_person",
                    (i % 5 + 1) as u8,
                    None,
                ));
                mix.feedback += 1;
            }
            1 => {
                mix.events.push(milestone(
                    "passport-in-person",
                    &format!("case-{i}"),
                    "received",
                ));
                mix.milestones += 1;
            }
            _ => {
                mix.events.push(offered("old-age-security"));
                mix.offered += 1;
            }
        }
    }
    mix
}
