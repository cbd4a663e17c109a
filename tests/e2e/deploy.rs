//! The production layout (`deploy/production/`) cannot run here (no container runtime),
//! so its files are checked for what running it would find out first: every component
//! with its count, every mounted file present, every command a real `civicpulse`
//! subcommand, a configuration that loads and agrees with the ClickHouse, Keeper and
//! Prometheus files, and monitoring files promtool and amtool accept.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use civicpulse_core::config::Config;
use serde_norway::Value;

use crate::support::*;

fn production() -> PathBuf {
    repo_root().join("deploy/production")
}

/// compose.yaml's services, with YAML merge keys (`<<: *civicpulse`) applied.
fn services() -> serde_norway::Mapping {
    let text = std::fs::read_to_string(production().join("compose.yaml")).unwrap();
    let mut compose: Value = serde_norway::from_str(&text).unwrap();
    compose.apply_merge().unwrap();
    let mut services = compose["services"].as_mapping().unwrap().clone();
    for (_, service) in services.iter_mut() {
        service.apply_merge().unwrap();
        if let Some(env) = service.get_mut("environment") {
            env.apply_merge().unwrap();
        }
    }
    services
}

fn names_starting(services: &serde_norway::Mapping, prefix: &str) -> Vec<String> {
    services
        .keys()
        .filter_map(Value::as_str)
        .filter(|name| name.starts_with(prefix))
        .map(str::to_string)
        .collect()
}

fn env<'a>(service: &'a Value, key: &str) -> &'a str {
    service["environment"][key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} in {service:?}"))
}

fn command(service: &Value) -> Vec<String> {
    service["command"]
        .as_sequence()
        .map(|args| {
            args.iter()
                .map(|a| a.as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_production_layout_runs_every_component_with_its_count() {
    let services = services();
    let count = |prefix: &str| names_starting(&services, prefix).len();
    assert_eq!(count("kafka-"), 3);
    assert_eq!(count("keeper-"), 3);
    assert_eq!(count("clickhouse-"), 4);
    for component in ["gateway-", "sink-", "aggregator-", "dashboard-api-"] {
        assert_eq!(count(component), 2, "{component}");
    }
    for single in [
        "migrate",
        "prometheus",
        "alertmanager",
        "grafana",
        "ingress",
    ] {
        assert!(services.contains_key(single), "{single}");
    }

    // Kafka in KRaft mode: every broker a voter of the one controller quorum.
    for name in names_starting(&services, "kafka-") {
        let kafka = &services[name.as_str()];
        assert_eq!(env(kafka, "KAFKA_PROCESS_ROLES"), "broker,controller");
        let voters = env(kafka, "KAFKA_CONTROLLER_QUORUM_VOTERS");
        assert_eq!(voters.split(',').count(), 3, "{voters}");
        assert!(
            voters.contains(&format!("@{name}:9093")),
            "{name}: {voters}"
        );
        assert_eq!(
            kafka["environment"]["KAFKA_MIN_INSYNC_REPLICAS"].as_u64(),
            Some(2)
        );
    }
    let grafana = &services["grafana"];
    assert!(env(grafana, "GF_INSTALL_PLUGINS").contains("yesoreyeram-infinity-datasource"));

    // Each civicpulse service runs a real subcommand of this binary.
    for (name, service) in &services {
        let args = command(service);
        if args.first().map(String::as_str) != Some("civicpulse") {
            continue;
        }
        let help = Command::new(env!("CARGO_BIN_EXE_civicpulse"))
            .args(&args[1..])
            .arg("--help")
            .output()
            .unwrap();
        assert!(
            help.status.success(),
            "{name:?}: `{}` is no civicpulse command: {}",
            args.join(" "),
            String::from_utf8_lossy(&help.stderr)
        );
    }
}

#[test]
fn every_file_the_production_layout_mounts_is_in_the_repository() {
    let mut mounted = BTreeSet::new();
    for (_, service) in &services() {
        for volume in service["volumes"].as_sequence().into_iter().flatten() {
            let source = volume.as_str().unwrap().split(':').next().unwrap();
            if source.starts_with('.') {
                mounted.insert(source.to_string());
            }
        }
    }
    assert!(mounted.len() >= 8, "{mounted:?}");
    for source in &mounted {
        assert!(
            production().join(source).exists(),
            "compose.yaml mounts {source}, which is missing"
        );
    }
    let dockerfile = production().join("Dockerfile");
    assert!(dockerfile.exists());
}

#[test]
fn the_production_config_loads_and_agrees_with_clickhouse_keeper_and_prometheus() {
    let services = services();
    let config = Config::load(Some(&production().join("civicpulse.toml"))).unwrap();
    assert_eq!(config.clickhouse.cluster, "civicpulse");
    assert_eq!(config.clickhouse.insert_quorum, 2);
    assert_eq!(config.kafka.replication_factor, 3);
    let brokers: Vec<&str> = config.kafka.brokers.split(',').collect();
    assert_eq!(brokers.len(), 3);
    for broker in &brokers {
        let host = broker.split(':').next().unwrap();
        assert!(services.contains_key(host), "broker {broker}");
    }

    // The cluster the config names: 2 shards × 2 replicas, each replica a compose service,
    // and Keeper's nodes the ZooKeeper the servers use.
    let xml = std::fs::read_to_string(production().join("clickhouse/civicpulse.xml")).unwrap();
    let document = roxmltree::Document::parse(&xml).unwrap();
    let cluster = document
        .descendants()
        .find(|n| n.has_tag_name(config.clickhouse.cluster.as_str()))
        .expect("remote_servers names the configured cluster");
    let shards = shard_hosts(cluster);
    assert_eq!(shards.len(), 2, "{shards:?}");
    let mut replicas: Vec<String> = shards.concat();
    assert!(shards.iter().all(|s| s.len() == 2), "{shards:?}");
    // The alter cluster: the same shards, one replica each.
    let alter = document
        .descendants()
        .find(|n| n.has_tag_name(config.clickhouse.alter_cluster.as_str()))
        .expect("remote_servers names the configured alter cluster");
    let alter_shards = shard_hosts(alter);
    assert_eq!(alter_shards.len(), shards.len(), "{alter_shards:?}");
    for (alter, all) in alter_shards.iter().zip(&shards) {
        assert!(
            alter.len() == 1 && all.contains(&alter[0]),
            "{alter:?} of {all:?}"
        );
    }
    replicas.sort();
    assert_eq!(replicas, names_starting(&services, "clickhouse-"));
    let keeper_hosts = |document: &roxmltree::Document, tag: &str| -> Vec<String> {
        document
            .descendants()
            .filter(|n| n.has_tag_name(tag))
            .filter_map(|n| n.text())
            .filter(|t| t.starts_with("keeper-"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(
        keeper_hosts(&document, "host"),
        names_starting(&services, "keeper-")
    );
    let keeper_xml =
        std::fs::read_to_string(production().join("keeper/keeper_config.xml")).unwrap();
    let keeper = roxmltree::Document::parse(&keeper_xml).unwrap();
    assert_eq!(
        keeper_hosts(&keeper, "hostname"),
        names_starting(&services, "keeper-")
    );
    for name in names_starting(&services, "clickhouse-") {
        let replica = &services[name.as_str()];
        assert_eq!(
            format!("clickhouse-{}", env(replica, "REPLICA")),
            name,
            "each replica's macro is its own name"
        );
    }
    // A component pointed at a replica points at one that exists.
    for (name, service) in &services {
        if let Some(url) = service["environment"]["CIVICPULSE_CLICKHOUSE__URL"].as_str() {
            let host = url.trim_start_matches("http://").split(':').next().unwrap();
            assert!(services.contains_key(host), "{name:?} uses {url}");
        }
    }

    // Prometheus scrapes every instance where the config says it listens.
    let prometheus = std::fs::read_to_string(production().join("prometheus.yml")).unwrap();
    for (prefix, listen) in [
        ("gateway-", &config.gateway.listen),
        ("sink-", &config.sink.metrics_listen),
        ("aggregator-", &config.aggregator.metrics_listen),
        ("dashboard-api-", &config.dashboard.listen),
    ] {
        assert!(
            listen.ip().is_unspecified(),
            "{prefix} listens on {listen}, out of other containers' reach"
        );
        for instance in names_starting(&services, prefix) {
            let target = format!("\"{instance}:{}\"", listen.port());
            assert!(prometheus.contains(&target), "no target {target}");
        }
    }
}

/// promtool checks the production Prometheus file with the rules it would load (the
/// repository's, mounted at /etc/prometheus/rules); amtool the Alertmanager file it mounts.
#[test]
fn promtool_and_amtool_accept_the_production_monitoring() {
    let dir = tempfile::tempdir().unwrap();
    let prometheus = std::fs::read_to_string(production().join("prometheus.yml"))
        .unwrap()
        .replace(
            "/etc/prometheus/rules/",
            &format!("{}/", repo_root().join("deploy/alerts").display()),
        );
    let config = dir.path().join("prometheus.yml");
    std::fs::write(&config, prometheus).unwrap();
    let checked = run_tool("promtool", &["check", "config", path(&config)]);
    assert!(
        checked.contains("SUCCESS") && checked.contains("rules found"),
        "{checked}"
    );
    let alertmanager = repo_root().join("deploy/alerts/alertmanager.yml");
    run_tool("amtool", &["check-config", path(&alertmanager)]);
}

fn path(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Runs a monitoring tool (Debian's, which `scripts/test` installs); its output. Fails
/// the test when the tool is missing or refuses the file.
fn run_tool(tool: &str, args: &[&str]) -> String {
    let output = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} is not installed ({e}): run scripts/test"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{tool} {args:?}: {text}");
    text
}

/// The hosts of each `<shard>` of a `remote_servers` cluster.
fn shard_hosts(cluster: roxmltree::Node) -> Vec<Vec<String>> {
    cluster
        .children()
        .filter(|n| n.has_tag_name("shard"))
        .map(|shard| {
            shard
                .descendants()
                .filter(|n| n.has_tag_name("host"))
                .map(|h| h.text().unwrap().to_string())
                .collect()
        })
        .collect()
}
