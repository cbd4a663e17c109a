//! Public feedback benchmark: requests per second through the widget's endpoint
//! (`POST /v1/public/feedback`, one response each: site, origin and rate-limit checks,
//! validation, scrubbing, Kafka acknowledged) as a ratio to the main gateway's
//! (`POST /v1/events` with one feedback event each, API key), same gateway, same run.
//! Run with `bench/public.sh` (starts Kafka, builds in release). BENCH_REQUESTS (default
//! 20 000) per endpoint, BENCH_CONCURRENCY (default 32) in flight.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use civicpulse_core::config::Site;
use civicpulse_testkit::config as testkit_config;
use civicpulse_testkit::process::Spawned;
use futures::{stream, StreamExt};
use serde_json::json;
use uuid::Uuid;

const KEY: &str = "bench-key";
const SITE_KEY: &str = "pk-bench";
const ORIGIN: &str = "https://www.canada.ca";
const SERVICE: &str = "employment-insurance";

fn main() {
    tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(run());
}

async fn run() {
    let requests = env_number("BENCH_REQUESTS", 20_000);
    let concurrency = env_number("BENCH_CONCURRENCY", 32);
    let dir = tempfile::tempdir().expect("temp dir");
    let prefix = format!("bench_public_{}", &Uuid::new_v4().simple().to_string()[..8]);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut config = testkit_config::isolated(&prefix, &root.join("catalog.toml"));
    testkit_config::accept_key(&mut config, "bench", KEY);
    // Limits far above the load: the bench measures the path, not the limiter's refusals.
    config.gateway.sites = vec![Site {
        name: "bench".into(),
        key: SITE_KEY.into(),
        origins: vec![ORIGIN.into()],
        services: vec![SERVICE.into()],
        per_client_per_minute: 10_000_000,
        per_site_per_minute: 10_000_000,
    }];
    let port = config.gateway.listen.port();
    let path = testkit_config::write(&config, dir.path());
    let mut command = Command::new(env!("CARGO_BIN_EXE_civicpulse"));
    command
        .arg("--config")
        .arg(&path)
        .arg("gateway")
        .env("RUST_LOG", "warn");
    let _gateway = Spawned::start(command, "gateway", dir.path().join("gateway.log"))
        .expect("the gateway starts");
    let http = reqwest::Client::new();
    wait_ready(&http, port).await;

    let base = format!("http://127.0.0.1:{port}");
    // Warm both paths (topics, connections) before timing.
    drive(&http, &base, Endpoint::Events, 500, concurrency).await;
    drive(&http, &base, Endpoint::Public, 500, concurrency).await;
    let events = drive(&http, &base, Endpoint::Events, requests, concurrency).await;
    let public = drive(&http, &base, Endpoint::Public, requests, concurrency).await;

    println!();
    println!("Civic Pulse public feedback benchmark: {requests} requests per endpoint, {concurrency} in flight, one event each");
    println!("| endpoint | requests/s | / POST /v1/events |");
    println!("|---|---|---|");
    println!("| POST /v1/events (API key, one feedback event) | {events:.0} | 1.00 |");
    println!(
        "| POST /v1/public/feedback (site key, origin, limits, one response) | {public:.0} | {:.2} |",
        public / events
    );
}

#[derive(Clone, Copy)]
enum Endpoint {
    Events,
    Public,
}

/// Sends `requests` requests with `concurrency` in flight; requests per second. Every
/// answer must be a success: a refusal would measure the wrong path.
async fn drive(
    http: &reqwest::Client,
    base: &str,
    endpoint: Endpoint,
    requests: usize,
    concurrency: usize,
) -> f64 {
    let base = Arc::new(base.to_string());
    let started = Instant::now();
    stream::iter(0..requests)
        .map(|_| {
            let (http, base) = (http.clone(), base.clone());
            async move {
                let request = match endpoint {
                    Endpoint::Events => http
                        .post(format!("{base}/v1/events"))
                        .bearer_auth(KEY)
                        .json(&json!([{
                            "kind": "feedback", "event_id": Uuid::new_v4().to_string(),
                            "occurred_at": chrono::Utc::now().to_rfc3339(),
                            "service_id": SERVICE, "channel": "web", "helpful": false,
                            "comment": "The page was unclear", "segment": {"language": "en"}
                        }])),
                    Endpoint::Public => http
                        .post(format!("{base}/v1/public/feedback"))
                        .header("origin", ORIGIN)
                        .json(&json!({
                            "site": SITE_KEY, "service_id": SERVICE, "helpful": "no",
                            "comment": "The page was unclear", "lang": "en", "website": "",
                            "shown_at": chrono::Utc::now().timestamp_millis() - 5_000
                        })),
                };
                let response = request.send().await.expect("the gateway answers");
                assert!(response.status().is_success(), "{}", response.status());
            }
        })
        .buffer_unordered(concurrency)
        .collect::<Vec<()>>()
        .await;
    requests as f64 / started.elapsed().as_secs_f64()
}

async fn wait_ready(http: &reqwest::Client, port: u16) {
    for _ in 0..300 {
        if let Ok(response) = http
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
        {
            if response.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the gateway never became ready");
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
