//! The Grafana files (Grafana itself cannot run here): every dashboard is well formed and
//! refers only to what is provisioned. Their queries are executed elsewhere: the Infinity
//! ones against a running API (`api.rs`), the PromQL ones against a running Prometheus
//! (`alerting.rs`).

use std::collections::{BTreeMap, BTreeSet};

use regex::Regex;
use serde_json::Value;

use crate::support::*;

/// Every provisioned dashboard: (file name, JSON).
pub(crate) fn dashboards() -> Vec<(String, Value)> {
    let dir = repo_root().join("deploy/grafana/dashboards");
    let mut found: Vec<(String, Value)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, json)
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

/// Every PromQL expression of the dashboards, with `$service` set to `service`.
pub(crate) fn promql_expressions(service: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (name, dashboard) in dashboards() {
        for panel in dashboard["panels"].as_array().unwrap() {
            for target in panel["targets"].as_array().into_iter().flatten() {
                if let Some(expr) = target["expr"].as_str() {
                    let title = format!("{name}: {}", panel["title"]);
                    found.push((title, expr.replace("$service", service)));
                }
            }
        }
    }
    found
}

/// The datasource uids the provisioning declares.
fn provisioned_datasources() -> BTreeSet<String> {
    let text = std::fs::read_to_string(
        repo_root().join("deploy/grafana/provisioning/datasources/civicpulse.yaml"),
    )
    .unwrap();
    let uid = Regex::new(r"(?m)^\s+uid: (\S+)$").unwrap();
    uid.captures_iter(&text).map(|c| c[1].to_string()).collect()
}

/// Every `datasource.uid` anywhere in a document.
fn datasource_uids(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(uid) = map.get("datasource").and_then(|d| d["uid"].as_str()) {
                found.push(uid.to_string());
            }
            map.values().for_each(|v| datasource_uids(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| datasource_uids(v, found)),
        _ => {}
    }
}

#[test]
fn every_dashboard_is_well_formed_and_refers_only_to_what_is_provisioned() {
    let dashboards = dashboards();
    assert!(dashboards.len() >= 6, "{} dashboards", dashboards.len());
    let uids: BTreeSet<String> = dashboards
        .iter()
        .map(|(_, d)| d["uid"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(uids.len(), dashboards.len(), "dashboard uids repeat");
    let datasources = provisioned_datasources();
    assert!(
        datasources.contains("civicpulse-api") && datasources.contains("civicpulse-prometheus"),
        "{datasources:?}"
    );
    let variable_use = Regex::new(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)").unwrap();

    for (name, dashboard) in &dashboards {
        let panels = dashboard["panels"].as_array().unwrap();
        assert!(!panels.is_empty(), "{name}: no panels");

        // Unique ids, and no two panels on the same grid cell (24 columns).
        let mut ids = BTreeSet::new();
        let mut cells: BTreeMap<(i64, i64), i64> = BTreeMap::new();
        for panel in panels {
            let id = panel["id"].as_i64().unwrap();
            assert!(ids.insert(id), "{name}: panel id {id} repeats");
            let grid = &panel["gridPos"];
            let (x, y, w, h) = ["x", "y", "w", "h"]
                .map(|k| grid[k].as_i64().unwrap())
                .into();
            assert!(
                w > 0 && h > 0 && x >= 0 && x + w <= 24,
                "{name}: panel {id} at {grid}"
            );
            for cx in x..x + w {
                for cy in y..y + h {
                    if let Some(other) = cells.insert((cx, cy), id) {
                        panic!("{name}: panels {other} and {id} overlap at ({cx}, {cy})");
                    }
                }
            }
        }

        // Every datasource is provisioned.
        let mut used = Vec::new();
        datasource_uids(dashboard, &mut used);
        assert!(!used.is_empty(), "{name}: no datasource");
        for uid in used {
            assert!(
                datasources.contains(&uid),
                "{name}: datasource `{uid}` is not provisioned"
            );
        }

        // Every variable used is defined (Grafana's own start with `__`).
        let defined: BTreeSet<String> = dashboard["templating"]["list"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["name"].as_str().unwrap().to_string())
            .collect();
        let text = serde_json::to_string(&dashboard["panels"]).unwrap();
        for used in variable_use.captures_iter(&text) {
            let variable = &used[1];
            assert!(
                variable.starts_with("__") || defined.contains(variable),
                "{name}: `${variable}` is used but not defined"
            );
        }

        // Every link leads to a provisioned dashboard, and every other dashboard is linked.
        let links: BTreeSet<String> = dashboard["links"]
            .as_array()
            .unwrap()
            .iter()
            .map(|link| {
                let url = link["url"].as_str().unwrap();
                url.strip_prefix("/d/").unwrap_or(url).to_string()
            })
            .collect();
        let mut others = uids.clone();
        others.remove(dashboard["uid"].as_str().unwrap());
        assert_eq!(links, others, "{name}: links");
    }
}

/// Where `scripts/test` installs Grafana's published schema and TypeScript (npm).
fn grafana_schema_dir() -> std::path::PathBuf {
    let dir = dev_dir().join("grafana-schema");
    assert!(
        dir.join("node_modules/.bin/tsc").exists(),
        "@grafana/schema is not installed in {}: run the suite with scripts/test, which installs it",
        dir.display()
    );
    dir
}

/// Each dashboard type-checks as Grafana's published `Dashboard` (the types @grafana/schema
/// generates from Grafana's own schema): an unknown key or a wrong type anywhere fails.
#[test]
fn every_dashboard_is_a_dashboard_by_grafanas_published_schema() {
    let dir = grafana_schema_dir();
    // Inside the install, so `@grafana/schema` resolves from its node_modules.
    let checks = tempfile::tempdir_in(&dir).unwrap();
    let mut files = Vec::new();
    for (name, dashboard) in dashboards() {
        let path = checks.path().join(name.replace(".json", ".ts"));
        let source = format!(
            "import type {{ Dashboard }} from \"@grafana/schema\";\nexport const dashboard: Dashboard = {};\n",
            serde_json::to_string_pretty(&dashboard).unwrap()
        );
        std::fs::write(&path, source).unwrap();
        files.push(path);
    }
    let output = std::process::Command::new(dir.join("node_modules/.bin/tsc"))
        .args([
            "--noEmit",
            "--strict",
            "--skipLibCheck",
            "--moduleResolution",
            "bundler",
        ])
        .args(["--module", "esnext"])
        .args(&files)
        .output()
        .expect("tsc runs");
    assert!(
        output.status.success(),
        "dashboards that are not Grafana dashboards:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
