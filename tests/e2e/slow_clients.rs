//! Slowloris against the real gateway and dashboard API, as configured: a client sending its
//! headers or its body one byte at a time is cut off within the configured time, and
//! ordinary clients are served meanwhile.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::*;

const TIMEOUT_SECS: u64 = 3;
/// Slack for a loaded test machine (CI runs the suite on two cores, tests in parallel).
const SLACK: Duration = Duration::from_secs(3);

/// Writes `head`, then one byte of `dribble` every 200 ms; returns what the server said and
/// how long it held the connection before closing it.
async fn dribble(port: u16, head: String, dribble: u8) -> (String, Duration) {
    let started = Instant::now();
    let stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    let writer = tokio::spawn(async move {
        let _ = write.write_all(head.as_bytes()).await;
        while write.write_all(&[dribble]).await.is_ok() {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    let closed = tokio::time::timeout(Duration::from_secs(TIMEOUT_SECS + 15), async {
        while let Ok(n @ 1..) = read.read(&mut buffer).await {
            answer.extend_from_slice(&buffer[..n]);
        }
    })
    .await;
    writer.abort();
    assert!(
        closed.is_ok(),
        "a dribbling client on port {port} was never cut off"
    );
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

fn assert_cut_off_in_time(held: Duration) {
    let limit = Duration::from_secs(TIMEOUT_SECS) + SLACK;
    assert!(
        held <= limit,
        "a slow client held its connection for {held:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn slowloris_is_cut_off_in_time_while_others_are_served() {
    require_shared_servers();
    let mut pipeline = Pipeline::new(Settings {
        client_timeout_secs: TIMEOUT_SECS,
        max_connections: 64,
        ..Settings::default()
    });
    let _gateway = pipeline.start_gateway("gateway").await;
    let _api = pipeline.start_dashboard().await;
    let (gateway, dashboard) = (pipeline.gateway_port, pipeline.dashboard_port);

    let headers = |port| {
        dribble(
            port,
            "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ".into(),
            b'a',
        )
    };
    let body = dribble(
        gateway,
        format!(
            "POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {API_KEY}\r\n\
             Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n["
        ),
        b' ',
    );
    let slow_gateway: Vec<_> = (0..6).map(|_| tokio::spawn(headers(gateway))).collect();
    let slow_dashboard: Vec<_> = (0..6).map(|_| tokio::spawn(headers(dashboard))).collect();
    let slow_body = tokio::spawn(body);

    // Meanwhile ordinary clients are served at once.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let started = Instant::now();
    let (status, answer) = pipeline
        .post(&[feedback("passport-in-person", "in_person", 4, None)])
        .await;
    assert_eq!(status, 200, "{answer}");
    let (status, _) = pipeline.api_get("/api/v1/services").await;
    assert_eq!(status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(TIMEOUT_SECS),
        "ordinary clients waited"
    );

    for handle in slow_gateway.into_iter().chain(slow_dashboard) {
        let (_, held) = handle.await.unwrap();
        assert_cut_off_in_time(held);
    }
    let (answer, held) = slow_body.await.unwrap();
    assert_cut_off_in_time(held);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("body_timeout"), "{answer}");
}

/// The reproduction: with every connection the gateway serves held by a body that
/// never finishes (a byte every 2 s, on the public endpoint and the invitation route),
/// `/healthz` waits only until the body deadline frees them, and each slow body is
/// answered 408 in JSON.
#[tokio::test(flavor = "multi_thread")]
async fn with_every_connection_held_by_slow_bodies_health_answers_after_the_deadline() {
    const MAX_CONNECTIONS: usize = 16;
    require_shared_servers();
    let mut pipeline = Pipeline::new(Settings {
        client_timeout_secs: TIMEOUT_SECS,
        max_connections: MAX_CONNECTIONS,
        ..Settings::default()
    });
    let _gateway = pipeline.start_gateway("gateway").await;
    let gateway = pipeline.gateway_port;
    let slow_body = |path: &str| {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {API_KEY}\r\n\
             Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{{"
        );
        async move {
            let stream = TcpStream::connect(("127.0.0.1", gateway)).await.unwrap();
            let (mut read, mut write) = stream.into_split();
            let writer = tokio::spawn(async move {
                let _ = write.write_all(head.as_bytes()).await;
                loop {
                    tokio::time::sleep(Duration::from_secs(2)).await;
                    if write.write_all(b" ").await.is_err() {
                        break;
                    }
                }
            });
            let mut answer = Vec::new();
            let _ = tokio::time::timeout(
                Duration::from_secs(TIMEOUT_SECS + 45),
                read.read_to_end(&mut answer),
            )
            .await;
            writer.abort();
            String::from_utf8_lossy(&answer).into_owned()
        }
    };
    let paths = ["/v1/public/feedback", "/v1/invitations"];
    let started = Instant::now();
    let slow: Vec<_> = (0..MAX_CONNECTIONS)
        .map(|i| tokio::spawn(slow_body(paths[i % paths.len()])))
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;

    let health = reqwest::Client::new()
        .get(format!("{}/healthz", pipeline.gateway_url()))
        .timeout(Duration::from_secs(TIMEOUT_SECS) + SLACK)
        .send()
        .await
        .expect("/healthz did not answer after the body deadline");
    let waited = started.elapsed();
    assert_eq!(health.status(), 200);
    assert!(
        waited >= Duration::from_secs(TIMEOUT_SECS - 1),
        "answered after {waited:?}: did the slow bodies hold every connection?"
    );
    eprintln!("/healthz answered after {waited:?} with {MAX_CONNECTIONS} slow bodies open");
    for handle in slow {
        let answer = handle.await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains("body_timeout"), "{answer}");
    }
}
