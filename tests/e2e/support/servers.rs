//! Servers of a test's own, on free ports with data in a temp dir, for tests that stop,
//! hang or restart a server (the shared ones are never touched). Their command lines are
//! the test kit's, the same the set-up scripts start the shared servers with.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use civicpulse_testkit::process::Spawned;
use civicpulse_testkit::servers::{self, ClickHousePorts};
use nix::sys::signal::Signal;
use uuid::Uuid;

use super::{answers_tcp, free_port, wait_until};

/// A ClickHouse server of the test's own, on free ports, with data in a temp dir, so a
/// test can stop and restart it.
pub struct PrivateClickHouse {
    pub dir: PathBuf,
    pub http_port: u16,
    tcp_port: u16,
    interserver_port: u16,
    process: Option<Spawned>,
}

impl PrivateClickHouse {
    pub async fn start(dir: &Path) -> PrivateClickHouse {
        let mut server = PrivateClickHouse {
            dir: dir.to_path_buf(),
            http_port: free_port(),
            tcp_port: free_port(),
            interserver_port: free_port(),
            process: None,
        };
        server.restart().await;
        server
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.http_port)
    }

    pub async fn restart(&mut self) {
        let ports = ClickHousePorts {
            http: self.http_port,
            tcp: self.tcp_port,
            interserver: self.interserver_port,
        };
        let command = servers::clickhouse(&self.dir, Some(ports)).expect("clickhouse dirs");
        let log = self.dir.join("log/stdout.log");
        self.process = Some(
            Spawned::start(command, "clickhouse", log)
                .expect("clickhouse-server is installed (scripts/test installs it)"),
        );
        let url = format!("{}/?query=SELECT%201", self.url());
        wait_until("the private ClickHouse", Duration::from_secs(30), || {
            let url = url.clone();
            async move { matches!(reqwest::get(&url).await, Ok(r) if r.status().is_success()) }
        })
        .await;
    }

    /// Kills the server at once, as a crash or an outage would.
    pub fn stop(&mut self) {
        self.process = None;
    }
}

/// A tansu broker of the test's own (sqlite storage in a temp dir) that a test may kill
/// and restart with its data.
pub struct PrivateKafka {
    pub dir: PathBuf,
    pub port: u16,
    process: Option<Spawned>,
}

impl PrivateKafka {
    pub async fn start(dir: &Path) -> PrivateKafka {
        let mut broker = PrivateKafka {
            dir: dir.to_path_buf(),
            port: free_port(),
            process: None,
        };
        broker.restart().await;
        broker
    }

    pub fn brokers(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Sends a signal to the broker (SIGSTOP/SIGCONT to hang and resume it).
    pub fn signal(&self, signal: Signal) {
        let broker = self.process.as_ref().expect("broker running");
        broker.signal(signal).expect("signal delivered");
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
                .as_mut()
                .is_some_and(|broker| broker.exited().is_none());
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
        let command = servers::tansu(&self.dir, self.port).expect("kafka dir");
        let log = self.dir.join("broker.log");
        self.process = Some(
            Spawned::start(command, "tansu", log)
                .expect("tansu is installed (scripts/test installs it)"),
        );
    }

    /// Kills the broker at once.
    pub fn stop(&mut self) {
        self.process = None;
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

/// A replicated, sharded ClickHouse of the test's own (ZooKeeper and 2 × 2 replicas on
/// free ports, data in a temp dir), so a test can kill a replica or a whole shard. The
/// configuration is the test kit's, as `scripts/cluster-up` writes it.
pub struct PrivateCluster {
    pub dir: PathBuf,
    pub layout: civicpulse_testkit::cluster::Layout,
    _zookeeper: Spawned,
    replicas: Vec<Option<Spawned>>,
}

/// A line of a stack trace as ClickHouse logs it under an error: `12. /lib/…`.
fn is_stack_frame(line: &str) -> bool {
    line.split_once(". ")
        .is_some_and(|(n, _)| n.trim().parse::<u32>().is_ok())
}

impl PrivateCluster {
    pub async fn start(dir: &Path) -> PrivateCluster {
        use civicpulse_testkit::cluster::{self, Layout, Replica};
        let mut replicas = Vec::new();
        for shard in 1..=2 {
            for replica in 1..=2 {
                replicas.push(Replica {
                    shard,
                    replica,
                    ports: ClickHousePorts {
                        http: free_port(),
                        tcp: free_port(),
                        interserver: free_port(),
                    },
                });
            }
        }
        let layout = Layout {
            name: "civicpulse".into(),
            zookeeper_port: free_port(),
            replicas,
        };
        let zk_dir = dir.join("zookeeper");
        let command = cluster::zookeeper(&zk_dir, layout.zookeeper_port).expect("ZooKeeper dirs");
        let zookeeper = Spawned::start(command, "zookeeper", zk_dir.join("zookeeper.log"))
            .expect("Debian's zookeeper is installed (scripts/test installs it)");
        // ZooKeeper must serve before the replicas start: 18.16 that starts without its
        // ZooKeeper session crashes on the first distributed DDL.
        let zk = format!("127.0.0.1:{}", layout.zookeeper_port);
        wait_until("the private ZooKeeper", Duration::from_secs(60), || {
            let zk = zk.clone();
            async move { zookeeper_is_ok(&zk) }
        })
        .await;
        let mut cluster = PrivateCluster {
            dir: dir.to_path_buf(),
            replicas: vec![None, None, None, None],
            layout,
            _zookeeper: zookeeper,
        };
        for index in 0..4 {
            cluster.restart(index).await;
        }
        cluster.probe_distributed_ddl().await;
        cluster
    }

    /// Runs one distributed DDL until every replica takes it. 18.16's DDL worker can start
    /// without its ZooKeeper connection on a loaded machine and then crashes its server on
    /// the first `ON CLUSTER` statement; a replica that died so is started again.
    async fn probe_distributed_ddl(&mut self) {
        let http = reqwest::Client::new();
        for _attempt in 0..5 {
            let answered = http
                .post(self.url())
                .body("CREATE DATABASE IF NOT EXISTS probe ON CLUSTER civicpulse")
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            let mut died = Vec::new();
            for (index, replica) in self.replicas.iter_mut().enumerate() {
                if replica.as_mut().is_none_or(|r| r.exited().is_some()) {
                    died.push(index);
                }
            }
            if answered && died.is_empty() {
                return;
            }
            for index in died {
                self.restart(index).await;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        panic!("the private cluster does not take distributed DDL");
    }

    /// The first replica's HTTP URL, where the pipeline connects.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.layout.replicas[0].ports.http)
    }

    /// Kills replica `index` (0-based, `s1r1, s1r2, s2r1, s2r2`) at once, as a crash would.
    pub fn kill(&mut self, index: usize) {
        self.replicas[index] = None;
    }

    /// Starts replica `index` (after a crash: told to restore its replicated tables, see
    /// `force_restore_at_next_start`) and waits until it holds a ZooKeeper session. On a
    /// loaded machine 18.16 may miss its session at start-up (and never retry it) or exit
    /// while loading its replicated tables; such a replica is started again.
    pub async fn restart(&mut self, index: usize) {
        let replica = self.layout.replicas[index];
        let dir = self.dir.join(replica.name());
        let url = format!(
            "http://127.0.0.1:{}/?query=SELECT%20count()%20FROM%20system.zookeeper%20WHERE%20path%20%3D%20'%2F'",
            replica.ports.http
        );
        for _attempt in 0..5 {
            civicpulse_testkit::cluster::force_restore_at_next_start(&dir)
                .expect("replica's flags directory");
            let command = civicpulse_testkit::cluster::replica(&self.layout, &replica, &dir)
                .expect("replica dirs");
            self.replicas[index] = Some(
                Spawned::start(command, replica.name(), dir.join("log/stdout.log"))
                    .expect("clickhouse-server is installed"),
            );
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(20) {
                if matches!(reqwest::get(&url).await, Ok(r) if r.status().is_success()) {
                    return;
                }
                let exited = self.replicas[index]
                    .as_mut()
                    .is_some_and(|r| r.exited().is_some());
                if exited {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            self.replicas[index] = None;
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        let errors = std::fs::read_to_string(dir.join("log/server.err.log")).unwrap_or_default();
        // The messages, not the stack frames (`12. /lib/…`) logged under each.
        let last: Vec<&str> = errors
            .lines()
            .filter(|l| !l.trim().is_empty() && !is_stack_frame(l))
            .rev()
            .take(6)
            .collect();
        panic!(
            "replica {} never came up with a ZooKeeper session; its last errors:\n{}",
            replica.name(),
            last.into_iter().rev().collect::<Vec<_>>().join("\n")
        );
    }

    /// `SELECT count() FROM <database>.<table>_local FINAL` on replica `index`.
    pub async fn local_count(&self, index: usize, database: &str, table: &str) -> Option<u64> {
        let port = self.layout.replicas[index].ports.http;
        let sql = format!("SELECT count() FROM {database}.{table}_local FINAL");
        let response = reqwest::Client::new()
            .post(format!("http://127.0.0.1:{port}/"))
            .body(sql)
            .send()
            .await
            .ok()?;
        response.text().await.ok()?.trim().parse().ok()
    }
}

/// ZooKeeper's `ruok` four-letter word answered `imok`.
fn zookeeper_is_ok(address: &str) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(address) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut answer = String::new();
    stream.write_all(b"ruok").is_ok()
        && stream.read_to_string(&mut answer).is_ok()
        && answer == "imok"
}
