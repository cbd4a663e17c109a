//! Slow and greedy clients against a served router, in-process on loopback: a client that
//! dribbles its headers or sends nothing is cut off within the configured time, other
//! clients are served meanwhile, no more than `max_connections` are served at once, and
//! bodies that never finish free their connections at the body deadline.

use std::time::{Duration, Instant};

use axum::routing::{get, post};
use axum::Router;
use civicpulse_core::config::HttpLimits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;

const TIMEOUT_SECS: u64 = 2;
/// Slack for a loaded test machine (CI runs the suite on two cores, tests in parallel).
const SLACK: Duration = Duration::from_secs(3);

/// Serves a one-route router with the given limits; its address and the shutdown handle.
async fn start(max_connections: usize) -> (std::net::SocketAddr, CancellationToken) {
    let listener = civicpulse_http_server::bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let limits = HttpLimits {
        header_read_timeout_secs: TIMEOUT_SECS,
        body_read_timeout_secs: TIMEOUT_SECS,
        max_connections,
    };
    let router = Router::new()
        .route("/", get(|| async { "ok" }))
        .route("/echo", post(|body: String| async move { body }));
    let router = civicpulse_http_server::bound_bodies(
        router,
        civicpulse_http_server::BodyBounds {
            deadline: limits.body_read_timeout(),
            max_bytes: 1 << 20,
        },
    );
    let shutdown = CancellationToken::new();
    let token = shutdown.clone();
    tokio::spawn(
        async move { civicpulse_http_server::serve(listener, router, &limits, token).await },
    );
    (addr, shutdown)
}

/// Sends one byte of a request head every 200 ms, never finishing it; returns how long
/// until the server closed the connection.
async fn dribble_headers(addr: std::net::SocketAddr) -> Duration {
    let started = Instant::now();
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    let writer = tokio::spawn(async move {
        let _ = write
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            .await;
        while write.write_all(b"a").await.is_ok() {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    let mut buffer = [0u8; 1024];
    let closed = tokio::time::timeout(Duration::from_secs(TIMEOUT_SECS + 10), async {
        while matches!(read.read(&mut buffer).await, Ok(n) if n > 0) {}
    })
    .await;
    writer.abort();
    assert!(closed.is_ok(), "a dribbling client was never cut off");
    started.elapsed()
}

/// A plain GET on a fresh connection; the status line.
async fn plain_get(addr: std::net::SocketAddr) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer.lines().next().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn dribbled_headers_are_cut_off_in_time_while_others_are_served() {
    let (addr, _shutdown) = start(64).await;
    let slow: Vec<_> = (0..8)
        .map(|_| tokio::spawn(dribble_headers(addr)))
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    assert_eq!(plain_get(addr).await, "HTTP/1.1 200 OK");
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "a normal client waited"
    );
    for handle in slow {
        let held = handle.await.unwrap();
        let limit = Duration::from_secs(TIMEOUT_SECS) + SLACK;
        assert!(held <= limit, "a slow client held its connection {held:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn silent_and_idle_connections_are_closed() {
    let (addr, _shutdown) = start(64).await;
    // Says nothing at all.
    let started = Instant::now();
    let mut silent = TcpStream::connect(addr).await.unwrap();
    let mut buffer = [0u8; 64];
    let read = tokio::time::timeout(
        Duration::from_secs(TIMEOUT_SECS + 5),
        silent.read(&mut buffer),
    )
    .await;
    assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "{read:?}");
    assert!(started.elapsed() <= Duration::from_secs(TIMEOUT_SECS) + SLACK);
    // Asks once, then keeps the connection open without a second request.
    let mut idle = TcpStream::connect(addr).await.unwrap();
    idle.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(
        Duration::from_secs(TIMEOUT_SECS + 5),
        idle.read_to_end(&mut answer),
    )
    .await;
    assert!(read.is_ok(), "an idle keep-alive connection stayed open");
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200 OK"));
    assert!(started.elapsed() <= Duration::from_secs(TIMEOUT_SECS) + SLACK);
}

#[tokio::test(flavor = "multi_thread")]
async fn no_more_than_max_connections_are_served_at_once() {
    let (addr, _shutdown) = start(2).await;
    // Two silent connections take both slots...
    let _a = TcpStream::connect(addr).await.unwrap();
    let _b = TcpStream::connect(addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    // ...so a third client waits until the timeout frees one, and is then served.
    let started = Instant::now();
    assert_eq!(plain_get(addr).await, "HTTP/1.1 200 OK");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(1) && waited <= Duration::from_secs(TIMEOUT_SECS) + SLACK,
        "the third client waited {waited:?}"
    );
}

/// Sends a request head and then one byte of body every 2 s; the status line answered.
async fn dribble_body(addr: std::net::SocketAddr) -> String {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    let writer = tokio::spawn(async move {
        let _ = write
            .write_all(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n[")
            .await;
        loop {
            tokio::time::sleep(Duration::from_secs(2)).await;
            if write.write_all(b" ").await.is_err() {
                break;
            }
        }
    });
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(
        Duration::from_secs(TIMEOUT_SECS + 30),
        read.read_to_end(&mut answer),
    )
    .await;
    writer.abort();
    let answer = String::from_utf8_lossy(&answer).into_owned();
    answer.lines().next().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn with_every_connection_held_by_slow_bodies_health_answers_after_the_deadline() {
    const MAX_CONNECTIONS: usize = 16;
    let (addr, _shutdown) = start(MAX_CONNECTIONS).await;
    let started = Instant::now();
    let slow: Vec<_> = (0..MAX_CONNECTIONS)
        .map(|_| tokio::spawn(dribble_body(addr)))
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let health = tokio::time::timeout(Duration::from_secs(TIMEOUT_SECS) + SLACK, plain_get(addr))
        .await
        .expect("/ did not answer while slow bodies held every connection");
    let waited = started.elapsed();
    assert_eq!(health, "HTTP/1.1 200 OK");
    assert!(
        waited >= Duration::from_secs(TIMEOUT_SECS - 1),
        "answered after {waited:?}: were the connections taken?"
    );
    for handle in slow {
        assert_eq!(handle.await.unwrap(), "HTTP/1.1 408 Request Timeout");
    }
}
