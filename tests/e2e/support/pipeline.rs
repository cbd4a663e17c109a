//! One test's private corner of the pipeline: its configuration, topics, group, database
//! and `civicpulse` processes, and the clients that talk to them.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use civicpulse_core::Config;
use civicpulse_testkit::config as testkit_config;
use civicpulse_testkit::process::Spawned;
use serde_json::Value;
use uuid::Uuid;

use super::events::Mix;
use super::process::Process;
use super::{repo_root, wait_until, API_KEY, SHARED_CLICKHOUSE, SHARED_KAFKA};

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
    pub aggregator_metrics_port: u16,
    pub http: reqwest::Client,
    /// For the dashboard API: sends the test's admin token.
    pub api: reqwest::Client,
    spawned: usize,
}

/// The dashboard token (an admin's) every test pipeline accepts.
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

impl Settings {
    /// The typed configuration of a pipeline with these settings, isolated under `prefix`.
    fn config(&self, prefix: &str, catalog_path: &Path) -> Config {
        let mut config = testkit_config::isolated(prefix, catalog_path);
        testkit_config::accept_key(&mut config, "e2e", API_KEY);
        // An admin: the suite reads every endpoint, the access audit included.
        config.dashboard.tokens.push(testkit_config::token_of(
            "e2e",
            DASHBOARD_TOKEN,
            civicpulse_core::access::Role::Admin,
        ));
        config.kafka.brokers = self.kafka.clone();
        config.kafka.partitions = self.partitions;
        config.clickhouse.url = self.clickhouse.clone();
        let gateway = &mut config.gateway;
        // Its own form pages post from where the browser reaches it.
        gateway.public_base_url = format!("http://{}", gateway.listen)
            .parse()
            .expect("a listen address makes a URL");
        gateway.delivery_timeout_ms = self.delivery_timeout_ms;
        gateway.max_body_bytes = self.max_body_bytes;
        gateway.max_events_per_request = self.max_events_per_request;
        gateway.retry_after_secs = 2;
        gateway.idempotent_producer = self.idempotent_producer;
        let sink = &mut config.sink;
        sink.max_rows = self.sink_max_rows;
        sink.max_wait_ms = self.sink_max_wait_ms;
        sink.retry_initial_ms = 100;
        sink.retry_max_ms = 1000;
        config.matrix.min_responses = self.min_responses;
        config.dashboard.cache_secs = 0;
        for limits in [&mut config.gateway.limits, &mut config.dashboard.limits] {
            limits.header_read_timeout_secs = self.client_timeout_secs;
            limits.body_read_timeout_secs = self.client_timeout_secs;
            limits.max_connections = self.max_connections;
        }
        config
    }
}

impl Pipeline {
    pub fn new(settings: Settings) -> Pipeline {
        let dir = tempfile::tempdir().expect("temp dir");
        let tag = Uuid::new_v4().simple().to_string()[..10].to_string();
        let prefix = format!("e2e_{tag}");
        let catalog_path = match &settings.catalog {
            Some(text) => {
                let path = dir.path().join("catalog.toml");
                std::fs::write(&path, text).expect("catalog written");
                path
            }
            None => repo_root().join("catalog.toml"),
        };
        let config = settings.config(&prefix, &catalog_path);
        let config_path = testkit_config::write(&config, dir.path());
        Pipeline {
            dir,
            config_path,
            kafka: config.kafka.brokers,
            clickhouse: config.clickhouse.url,
            topic_prefix: config.kafka.topic_prefix,
            database: config.clickhouse.database,
            gateway_port: config.gateway.listen.port(),
            sink_metrics_port: config.sink.metrics_listen.port(),
            dashboard_port: config.dashboard.listen.port(),
            aggregator_metrics_port: config.aggregator.metrics_listen.port(),
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

    /// Rewrites this pipeline's configuration file with `edit` applied; processes started
    /// afterwards read it.
    pub fn edit_config(&self, edit: impl FnOnce(&mut civicpulse_core::Config)) {
        let text = std::fs::read_to_string(&self.config_path).expect("the config exists");
        let mut config: civicpulse_core::Config = toml::from_str(&text).expect("it parses");
        edit(&mut config);
        std::fs::write(
            &self.config_path,
            toml::to_string(&config).expect("it serializes"),
        )
        .expect("the config is writable");
    }

    /// Writes September 2026's scheduled report (English and French) into `dir`, as the
    /// aggregator would on 6 October.
    pub fn write_scheduled_report(&mut self, dir: &std::path::Path) -> String {
        let dir = dir.to_path_buf();
        self.edit_config(|config| {
            config.reports.dir = dir;
            config.reports.prometheus_url = None;
            config.reports.schedules = vec![civicpulse_core::config::ReportSchedule {
                every: civicpulse_core::config::ReportEvery::Monthly,
                business_day: 3,
            }];
        });
        self.spawn_args(&["report-schedule", "--as-of", "2026-10-06T15:00:00Z"], &[])
            .wait_success()
    }

    /// Starts `civicpulse <args…>` with this pipeline's config and extra environment.
    pub fn spawn_args(&mut self, args: &[&str], env: &[(&str, String)]) -> Process {
        self.spawned += 1;
        let name = format!("{}-{}", args[0], self.spawned);
        let log = self.dir.path().join(format!("{name}.log"));
        let mut command = Command::new(env!("CARGO_BIN_EXE_civicpulse"));
        command
            .arg("--config")
            .arg(&self.config_path)
            .args(args)
            .env("RUST_LOG", "info,rdkafka=warn")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())));
        Process(Spawned::start(command, name, log).expect("civicpulse starts"))
    }

    /// Runs `civicpulse <args…>` to completion with `stdin` as its standard input; its exit
    /// code and what it printed (standard output, then standard error).
    pub fn run_with_stdin(&self, args: &[&str], stdin: &str) -> (i32, String) {
        use std::io::Write;
        let mut child = Command::new(env!("CARGO_BIN_EXE_civicpulse"))
            .arg("--config")
            .arg(&self.config_path)
            .args(args)
            .env("RUST_LOG", "info,rdkafka=warn")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("civicpulse starts");
        child
            .stdin
            .take()
            .expect("stdin is piped")
            .write_all(stdin.as_bytes())
            .expect("stdin is written");
        let output = child.wait_with_output().expect("civicpulse runs");
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        (output.status.code().unwrap_or(-1), printed)
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
        wait_until(&format!("the dashboard API ({})", process.log_path().display()), Duration::from_secs(30), || {
            let (http, url) = (http.clone(), url.clone());
            async move { matches!(http.get(&url).send().await, Ok(r) if r.status().is_success()) }
        })
        .await;
        process
    }

    /// GET on the dashboard API with the test's token; the status and the JSON body.
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

    /// Status, content type and body of a GET of the dashboard API with `client` (the
    /// token-holding `api` or the bare `http`), for answers that are not JSON.
    pub async fn get_raw(&self, client: &reqwest::Client, path: &str) -> (u16, String, Vec<u8>) {
        let response = client
            .get(format!("http://127.0.0.1:{}{path}", self.dashboard_port))
            .send()
            .await
            .expect("the dashboard API answers");
        let status = response.status().as_u16();
        let kind = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap_or_default().to_string())
            .unwrap_or_default();
        (
            status,
            kind,
            response.bytes().await.unwrap_or_default().to_vec(),
        )
    }

    pub fn gateway_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.gateway_port)
    }

    pub async fn wait_gateway_ready(&self, gateway: &Process) {
        let url = format!("{}/readyz", self.gateway_url());
        let http = self.http.clone();
        wait_until(&format!("the gateway (log {})", gateway.log_path().display()), Duration::from_secs(60), || {
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
