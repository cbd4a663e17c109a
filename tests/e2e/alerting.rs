//! Alerting end to end: the pipeline's metrics scraped by a real Prometheus evaluating the
//! shipped rules, routed by a real Alertmanager with the shipped routing, delivered to a
//! webhook receiver inside the test.
//!
//! The rule and routing files are the ones in `deploy/alerts/`, with only time shortened:
//! every `for:` becomes 1 s, every range window's minutes become seconds (`[5m]` → `[5s]`),
//! scrapes and evaluations run every second, and Alertmanager waits 1 s before and between
//! group notifications. Receivers point at the test.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path as UrlPath, State};
use axum::routing::post;
use axum::{Json, Router};
use chrono::{Duration as Days, Utc};
use civicpulse_testkit::process::Spawned;
use civicpulse_testkit::servers;
use regex::Regex;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::*;

/// Every notification the receiver got: (receiver path, webhook body).
type Inbox = Arc<Mutex<Vec<(String, Value)>>>;

async fn receive(
    State(inbox): State<Inbox>,
    UrlPath(kind): UrlPath<String>,
    Json(body): Json<Value>,
) -> &'static str {
    inbox.lock().unwrap().push((kind, body));
    "ok"
}

/// A webhook receiver on a free port; its base URL and what it received.
async fn start_receiver() -> (String, Inbox) {
    let inbox: Inbox = Arc::default();
    let app = Router::new()
        .route("/alerts/{kind}", post(receive))
        .with_state(inbox.clone());
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", free_port()))
        .await
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, inbox)
}

/// The alerts (with their notification's receiver path) named `alertname` in status
/// `status` that arrived so far.
fn received(inbox: &Inbox, alertname: &str, status: &str) -> Vec<(String, Value)> {
    inbox
        .lock()
        .unwrap()
        .iter()
        .flat_map(|(kind, body)| {
            body["alerts"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(move |alert| (kind.clone(), alert))
        })
        .filter(|(_, alert)| alert["labels"]["alertname"] == alertname && alert["status"] == status)
        .collect()
}

async fn wait_for_alert(inbox: &Inbox, alertname: &str, status: &str) -> (String, Value) {
    wait_until(
        &format!("a {status} {alertname} notification"),
        Duration::from_secs(120),
        || async { !received(inbox, alertname, status).is_empty() },
    )
    .await;
    received(inbox, alertname, status).remove(0)
}

/// The shipped rule files with every `for:` shortened to 1 s and range windows' minutes
/// made seconds.
fn fast_rules(into: &Path) {
    let hold = Regex::new(r"(?m)^(\s+for:) \S+$").unwrap();
    let window = Regex::new(r"\[(\d+)m\]").unwrap();
    std::fs::create_dir_all(into).unwrap();
    for entry in std::fs::read_dir(repo_root().join("deploy/alerts")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with(".rules.yml") {
            let rules = std::fs::read_to_string(&path).unwrap();
            let rules = hold.replace_all(&rules, "$1 1s");
            let rules = window.replace_all(&rules, "[${1}s]");
            std::fs::write(into.join(name), rules.as_ref()).unwrap();
        }
    }
}

/// The shipped routing with the test's receiver and 1 s group waits.
fn fast_routing(receiver: &str) -> String {
    let routing =
        std::fs::read_to_string(repo_root().join("deploy/alerts/alertmanager.yml")).unwrap();
    assert!(
        routing.contains("http://127.0.0.1:9095"),
        "the receivers moved"
    );
    routing
        .replace("http://127.0.0.1:9095", receiver)
        .replace("group_wait: 30s", "group_wait: 1s")
        .replace("group_interval: 5m", "group_interval: 1s")
}

fn prometheus_config(pipeline: &Pipeline, alertmanager_port: u16) -> String {
    format!(
        r#"
global:
  scrape_interval: 1s
  evaluation_interval: 1s
  external_labels:
    dashboard_api: http://127.0.0.1:{dashboard}
    runbook: https://example.org/docs/operators/runbook.md
rule_files: ["rules/*.rules.yml"]
alerting:
  alertmanagers: [{{static_configs: [{{targets: ["127.0.0.1:{alertmanager_port}"]}}]}}]
scrape_configs:
  - job_name: civicpulse-gateway
    static_configs: [{{targets: ["127.0.0.1:{gateway}"]}}]
  - job_name: civicpulse-sink
    static_configs: [{{targets: ["127.0.0.1:{sink}"]}}]
  - job_name: civicpulse-dashboard-api
    static_configs: [{{targets: ["127.0.0.1:{dashboard}"]}}]
  - job_name: civicpulse-aggregator
    static_configs: [{{targets: ["127.0.0.1:{aggregator}"]}}]
"#,
        dashboard = pipeline.dashboard_port,
        aggregator = pipeline.aggregator_metrics_port,
        gateway = pipeline.gateway_port,
        sink = pipeline.sink_metrics_port,
    )
}

/// The milestone topic of the test's pipeline.
fn alert_topic(pipeline: &Pipeline) -> String {
    pipeline.topic("milestone")
}

/// Writes `<name>.yml` in `dir` and starts the server `command` makes with it on `port`
/// (Prometheus or Alertmanager, the test kit's command lines).
fn start_monitor(
    dir: &Path,
    name: &str,
    config: String,
    port: u16,
    command: fn(&Path, &Path, u16) -> std::io::Result<std::process::Command>,
) -> Spawned {
    let config_path = dir.join(format!("{name}.yml"));
    std::fs::write(&config_path, config).unwrap();
    let command = command(&config_path, &dir.join(name), port).unwrap();
    Spawned::start(command, name, dir.join(format!("{name}.log")))
        .unwrap_or_else(|e| panic!("{name} does not start ({e}): scripts/servers.sh installs it"))
}

/// A passport-in-person milestone `ago` before now.
fn passport_step(case_ref: &str, milestone: &str, ago: Days) -> Value {
    json!({
        "kind": "milestone", "event_id": Uuid::new_v4().to_string(),
        "occurred_at": (Utc::now() - ago).to_rfc3339(),
        "service_id": "passport-in-person", "case_ref": case_ref,
        "milestone": milestone, "channel": "in_person",
    })
}

/// How long ago noon (Toronto) was on the day `n` passport business days before today, so
/// a case started then has `n` days elapsed whatever today's weekday or holidays.
fn since_business_days(n: i64) -> Days {
    let catalog = civicpulse_core::Catalog::load(&repo_root().join("catalog.toml")).unwrap();
    let service = catalog.service("passport-in-person").unwrap();
    let calendar = catalog.calendar(&service.calendar).unwrap();
    let today = civicpulse_core::calendar::local_date(Utc::now(), service.time_zone);
    let mut start = today;
    while calendar.business_days_between(start, today) < n {
        start = start.pred_opt().unwrap();
    }
    let noon = start
        .and_hms_opt(12, 0, 0)
        .unwrap()
        .and_local_timezone(service.time_zone)
        .earliest()
        .unwrap();
    Utc::now() - noon.with_timezone(&Utc)
}

async fn ready(url: String) -> bool {
    matches!(reqwest::get(url).await, Ok(r) if r.status().is_success())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_burning_guarantee_and_a_stopped_sink_reach_a_person_and_the_recovery_too() {
    require_shared_servers();
    let mut pipeline = Pipeline::new(Settings::default());
    pipeline.migrate();
    let _gateway = pipeline.start_gateway("gateway").await;
    let mut sink = Some(pipeline.spawn("sink"));
    let _dashboard = pipeline.start_dashboard().await;

    // Three passport cases closed today, a month after they started: all breached, so the
    // 1-day and 7-day burn rates are 10 (the standard allows 1 in 10). Two open cases are
    // nine business days in (the limit is ten): at risk, the ones to act on.
    let mut events = Vec::new();
    for case in ["late-1", "late-2", "late-3"] {
        events.push(passport_step(case, "complete", Days::days(30)));
        events.push(passport_step(case, "dispatched", Days::hours(2)));
    }
    let nine_business_days = since_business_days(9);
    for case in ["risk-1", "risk-2"] {
        events.push(passport_step(case, "complete", nine_business_days));
    }
    let stored = events.len() as u64;
    // And one event a client got wrong, so the rejects panel has a series.
    let mut wrong = milestone("passport-in-person", "wrong-1", "complete");
    wrong["milestone"] = json!("teleported");
    events.push(wrong);
    let (status, body) = pipeline.post(&events).await;
    assert_eq!((status, &body["rejected"]), (207, &json!(1)), "{body}");
    pipeline
        .wait_count("milestones", stored, Duration::from_secs(60))
        .await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    // The aggregator as deployed: a loop, scraped like every component.
    let _aggregator = pipeline.spawn("aggregator");

    let (receiver, inbox) = start_receiver().await;
    let dir = pipeline.dir.path().to_path_buf();
    let alertmanager_port = free_port();
    let _alertmanager = start_monitor(
        &dir,
        "alertmanager",
        fast_routing(&receiver),
        alertmanager_port,
        servers::alertmanager,
    );
    let prometheus_port = free_port();
    fast_rules(&dir.join("rules"));
    let _prometheus = start_monitor(
        &dir,
        "prometheus",
        prometheus_config(&pipeline, alertmanager_port),
        prometheus_port,
        servers::prometheus,
    );
    let prometheus = format!("http://127.0.0.1:{prometheus_port}");
    wait_until("Prometheus and Alertmanager", Duration::from_secs(30), || {
        let (p, a) = (prometheus.clone(), format!("http://127.0.0.1:{alertmanager_port}"));
        async move { ready(format!("{p}/-/ready")).await && ready(format!("{a}/-/ready")).await }
    })
    .await;

    // (1) The burning budget pages, with the cases in hand.
    let (kind, alert) = wait_for_alert(&inbox, "SlaErrorBudgetBurningFast", "firing").await;
    assert_eq!(kind, "page", "{alert}");
    assert_eq!(
        alert["labels"]["service_id"], "passport-in-person",
        "{alert}"
    );
    assert_eq!(alert["labels"]["severity"], "page");
    let annotations = &alert["annotations"];
    assert!(
        annotations["description"]
            .as_str()
            .unwrap()
            .contains("10 times faster"),
        "{annotations}"
    );
    assert_eq!(
        annotations["runbook_url"],
        "https://example.org/docs/operators/runbook.md#runbook-sla-budget-burning"
    );
    let cases_url = annotations["cases_url"].as_str().unwrap();
    assert_eq!(
        cases_url,
        format!(
            "http://127.0.0.1:{}/api/v1/sla/cases?service_id=passport-in-person&status=at_risk",
            pipeline.dashboard_port
        )
    );
    let cases: Value = pipeline
        .api
        .get(cases_url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let refs: Vec<&str> = cases
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["case_ref"].as_str().unwrap())
        .collect();
    assert_eq!(refs, ["risk-1", "risk-2"], "{cases}");
    assert!(cases[0]["due_date"].is_string(), "{cases}");
    let firing: Value = reqwest::get(format!("{prometheus}/api/v1/alerts"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        firing["data"]["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| {
                a["labels"]["alertname"] == "SlaErrorBudgetBurningFast" && a["state"] == "firing"
            }),
        "{firing}"
    );

    // Every PromQL expression of the dashboards answers, and with series once scraped
    // (but dead letters, which need a poison message on Kafka, and a theme's mentions,
    // which are judged only once a service has 28 days of readings).
    for (panel, expr) in crate::grafana::promql_expressions("passport-in-person") {
        let with_series = || {
            let (prometheus, expr, panel) = (prometheus.clone(), expr.clone(), panel.clone());
            async move {
                let answer: Value = reqwest::Client::new()
                    .get(format!("{prometheus}/api/v1/query"))
                    .query(&[("query", expr.as_str())])
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                assert_eq!(answer["status"], "success", "{panel}: {expr}: {answer}");
                !answer["data"]["result"].as_array().unwrap().is_empty()
            }
        };
        if expr.contains("dead_letters") || expr.contains("civicpulse_theme_mentions") {
            with_series().await;
            continue;
        }
        wait_until(
            &format!("series for {panel}: {expr}"),
            Duration::from_secs(60),
            with_series,
        )
        .await;
    }

    // (2) The sink stops while events keep coming: messages wait and nothing is stored
    // (the gateway measures the sinks' lag too), and the sink is not scraped: two pages.
    // It comes back: both resolve.
    drop(sink.take());
    let more: Vec<Value> = (0..20)
        .map(|i| milestone("passport-in-person", &format!("later-{i}"), "received"))
        .collect();
    assert_eq!(pipeline.post(&more).await.0, 200);
    let (kind, alert) = wait_for_alert(&inbox, "SinkPartitionNotStored", "firing").await;
    assert_eq!(kind, "page", "{alert}");
    assert_eq!(alert["labels"]["topic"], alert_topic(&pipeline), "{alert}");
    let (kind, alert) = wait_for_alert(&inbox, "ComponentDown", "firing").await;
    assert_eq!(
        (kind.as_str(), &alert["labels"]["job"]),
        ("page", &json!("civicpulse-sink"))
    );
    sink = Some(pipeline.spawn("sink"));
    pipeline
        .wait_count("milestones", stored + 20, Duration::from_secs(60))
        .await;
    let (_, resolved) = wait_for_alert(&inbox, "SinkPartitionNotStored", "resolved").await;
    assert_eq!(resolved["labels"]["topic"], alert_topic(&pipeline));
    let (_, resolved) = wait_for_alert(&inbox, "ComponentDown", "resolved").await;
    assert_eq!(resolved["labels"]["job"], "civicpulse-sink");
    drop(sink);
}

/// Every alert of the shipped rules links to its section of the runbook
/// (docs/operators/runbook.md), and the shipped Prometheus configurations point the links'
/// `runbook` external label at that file.
#[test]
fn every_runbook_link_has_its_section() {
    let runbook = std::fs::read_to_string(repo_root().join("docs/operators/runbook.md")).unwrap();
    // GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens.
    let anchors: Vec<String> = runbook
        .lines()
        .filter(|line| line.starts_with('#'))
        .map(|line| {
            line.trim_start_matches('#')
                .trim()
                .to_lowercase()
                .chars()
                .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-')
                .collect::<String>()
                .replace(' ', "-")
        })
        .collect();
    let link = Regex::new(r"#(runbook-[a-z0-9-]+)").unwrap();
    let mut linked = 0;
    for entry in std::fs::read_dir(repo_root().join("deploy/alerts")).unwrap() {
        let path = entry.unwrap().path();
        if !path.to_string_lossy().ends_with(".rules.yml") {
            continue;
        }
        let rules = std::fs::read_to_string(&path).unwrap();
        let alerts = rules.matches("- alert:").count();
        let links = link.captures_iter(&rules).count();
        assert_eq!(
            alerts,
            links,
            "{}: every alert needs one runbook link",
            path.display()
        );
        for anchor in link.captures_iter(&rules) {
            linked += 1;
            assert!(
                anchors.contains(&anchor[1].to_string()),
                "{}: no section #{} in docs/operators/runbook.md",
                path.display(),
                &anchor[1]
            );
        }
    }
    assert!(linked >= 13, "found the rules' runbook links: {linked}");
    for config in [
        "deploy/alerts/prometheus.yml",
        "deploy/production/prometheus.yml",
    ] {
        let text = std::fs::read_to_string(repo_root().join(config)).unwrap();
        let label = text
            .lines()
            .find_map(|line| line.trim().strip_prefix("runbook:"))
            .unwrap_or_else(|| panic!("{config}: no runbook external label"));
        assert!(
            label.trim().ends_with("/docs/operators/runbook.md"),
            "{config}: the runbook label points at {label}"
        );
    }
}
