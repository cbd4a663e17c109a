//! The dashboard API's contract and its Grafana provisioning, checked against a running
//! API with data: every path of the generated OpenAPI document answers as documented, and
//! every query and URL in `deploy/grafana/` answers with the columns the panels read.

use std::collections::BTreeMap;
use std::path::Path;

use civicpulse_core::Catalog;
use serde_json::Value;

use crate::matrix::{generate, load};
use crate::support::*;

/// A pipeline holding two months of generated traffic, aggregated, with its API running.
pub(crate) async fn api_with_data() -> (Pipeline, Process) {
    let catalog = Catalog::load(&repo_root().join("catalog.toml")).unwrap();
    let world = generate(&catalog, 3, 40);
    let mut pipeline = Pipeline::new(Settings::default());
    load(&mut pipeline, &world).await;
    let api = pipeline.start_dashboard().await;
    (pipeline, api)
}

/// Resolves `{"$ref": "#/components/schemas/X"}`.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.rsplit('/').next().unwrap();
            resolve(doc, &doc["components"]["schemas"][name])
        }
        None => schema,
    }
}

/// Checks `value` against the subset of JSON Schema utoipa emits.
pub(crate) fn check(doc: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    let schema = resolve(doc, schema);
    if let Some(options) = schema["oneOf"].as_array().or(schema["anyOf"].as_array()) {
        return options
            .iter()
            .any(|s| check(doc, s, value, at).is_ok())
            .then_some(())
            .ok_or(format!("{at}: {value} matches none of {schema}"));
    }
    if let Some(all) = schema["allOf"].as_array() {
        for s in all {
            check(doc, s, value, at)?;
        }
    }
    if let Some(allowed) = schema["enum"].as_array() {
        if !allowed.contains(value) {
            return Err(format!("{at}: {value} is not one of {allowed:?}"));
        }
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if !types.is_empty() {
        let fits = types.iter().any(|t| match *t {
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "null" => value.is_null(),
            "array" => value.is_array(),
            "object" => value.is_object(),
            _ => false,
        });
        if !fits {
            return Err(format!("{at}: {value} is not {types:?}"));
        }
    }
    if let (Some(items), Some(values)) = (schema.get("items"), value.as_array()) {
        for (i, item) in values.iter().enumerate() {
            check(doc, items, item, &format!("{at}[{i}]"))?;
        }
    }
    if let Some(object) = value.as_object() {
        for required in schema["required"].as_array().into_iter().flatten() {
            let name = required.as_str().unwrap();
            if !object.contains_key(name) {
                return Err(format!("{at}: required `{name}` missing"));
            }
        }
        if let Some(properties) = schema["properties"].as_object() {
            for (name, property) in properties {
                if let Some(field) = object.get(name) {
                    check(doc, property, field, &format!("{at}.{name}"))?;
                }
            }
            for name in object.keys() {
                if !properties.contains_key(name) {
                    return Err(format!("{at}: `{name}` is not documented"));
                }
            }
        }
    }
    Ok(())
}

fn example(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_documented_endpoint_answers_as_documented() {
    require_shared_servers();
    let (mut pipeline, _api) = api_with_data().await;
    // A scheduled report, so that /api/v1/reports has rows to check.
    let reports = pipeline.dir.path().join("reports");
    pipeline.write_scheduled_report(&reports);
    // A declared exceptional circumstance, so that /api/v1/sla/exceptions has rows (the
    // standards test declares them through the API).
    pipeline
        .query(
            "INSERT INTO sla_exceptions (id, services, from_at, to_at, reason, effect, withdrawn, declared_by, declared_at) \
             VALUES ('2026-outage', ['passport-in-person'], toDateTime('2020-01-01 00:00:00'), \
             toDateTime('2020-01-02 00:00:00'), 'System outage', 'no_remission', 0, 'e2e', now())",
        )
        .await
        .unwrap();
    // A comment read for themes in the documented month, so that /api/v1/themes has a row.
    pipeline
        .query(
            "INSERT INTO comment_readings (event_id, service_id, case_ref, occurred_at, language, \
             themes, scores, evidence, sentiment, sentiment_score, model, read_at) \
             VALUES (toUUID('6f1c1b36-8f4e-4f57-9f0e-0a1b2c3d4e5f'), 'passport-in-person', '', \
             toDateTime('2026-11-10 12:00:00'), 'en', ['waiting-time'], [0.9], '[]', 'negative', \
             0.8, 'e2e', now())",
        )
        .await
        .unwrap();
    // An analyst's correction of that comment in the documented month, so that the trail
    // (/api/v1/themes/corrections) has a row.
    pipeline
        .query(
            "INSERT INTO theme_corrections (event_id, service_id, case_ref, occurred_at, \
             themes_before, sentiment_before, model, themes, sentiment, note, corrected_by, \
             corrected_at) \
             VALUES (toUUID('6f1c1b36-8f4e-4f57-9f0e-0a1b2c3d4e5f'), 'passport-in-person', '', \
             toDateTime('2026-11-10 12:00:00'), ['waiting-time'], 'negative', 'e2e', \
             ['appointments'], 'negative', 'no slot to book', 'e2e', \
             toDateTime('2026-11-12 09:00:00'))",
        )
        .await
        .unwrap();
    // A read of comments by Grafana's token in the documented month, so that the access
    // audit has a row the documented example matches.
    pipeline
        .query(
            "INSERT INTO access_audit (at, token_id, action, endpoint, filter, rows, request_id) \
             VALUES (toDateTime('2026-11-15 10:00:00'), 'grafana', 'read_comments', \
             '/api/v1/feedback/comments', 'services=&from=2026-10-16T10:00:00Z&to=2026-11-15T10:00:00Z&limit=100', \
             3, 'e2e-request')",
        )
        .await
        .unwrap();
    let base = format!("http://127.0.0.1:{}", pipeline.dashboard_port);
    // The document itself is open, so tools can discover the API.
    let doc: Value = pipeline
        .http
        .get(format!("{base}/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for expected in [
        "/api/v1/services",
        "/api/v1/matrix",
        "/api/v1/timeseries",
        "/api/v1/interventions",
        "/api/v1/sla/cases",
        "/api/v1/sla/summary",
    ] {
        assert!(paths.contains_key(expected), "{expected} is not documented");
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );

    for (path, item) in paths {
        // Paths with parameters in them (a report's files) have their own test.
        if path.contains('{') {
            continue;
        }
        // A change with no read at its path (an erasure) has its own tests.
        let Some(operation) = item.get("get") else {
            continue;
        };
        let responses = &operation["responses"];
        let parameters = operation["parameters"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let query: Vec<(String, String)> = parameters
            .iter()
            .filter_map(|p| Some((p["name"].as_str()?.to_string(), example(p.get("example")?))))
            .collect();
        for p in &parameters {
            assert!(
                p["required"] != true || p.get("example").is_some(),
                "{path}: required parameter {} has no example",
                p["name"]
            );
        }

        // With a token and the documented examples: 200 and rows of the documented schema.
        let ok = pipeline
            .api
            .get(format!("{base}{path}"))
            .query(&query)
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), 200, "{path}?{query:?}");
        if path.starts_with("/api/v1/exports/") {
            // A government's own file format: the documented content type, and rows.
            let documented: Vec<&String> = responses["200"]["content"]
                .as_object()
                .unwrap()
                .keys()
                .collect();
            let kind = ok.headers()["content-type"].to_str().unwrap().to_string();
            assert!(
                documented.iter().any(|d| kind.starts_with(d.as_str())),
                "{path}: {kind} is not one of {documented:?}"
            );
            let text = ok.text().await.unwrap();
            assert!(text.lines().count() > 1, "{path}: no rows: {text}");
            check_refusals(&pipeline, &doc, &base, path, responses, &parameters, &query).await;
            continue;
        }
        let body: Value = ok.json().await.unwrap();
        let schema = &responses["200"]["content"]["application/json"]["schema"];
        assert_eq!(schema["type"], "array", "{path}: answers are flat arrays");
        let row_schema = resolve(&doc, &schema["items"]);
        assert!(
            row_schema["properties"]
                .as_object()
                .is_some_and(|p| !p.is_empty()),
            "{path}: rows are undocumented: {row_schema}"
        );
        check(&doc, schema, &body, path).unwrap();
        // Emerging issues need 28 days of readings before a day is judged, suggestions ten
        // comments no theme claims: their rows are checked against this schema in `themes.rs`.
        assert!(
            path.contains("timeseries")
                || path.contains("snapshots")
                || path.contains("emerging")
                || path.contains("suggestions")
                || !body.as_array().unwrap().is_empty(),
            "{path}: no rows to check the schema against"
        );

        // The same rows as CSV.
        let csv = pipeline
            .api
            .get(format!("{base}{path}"))
            .query(&query)
            .header("accept", "text/csv")
            .send()
            .await
            .unwrap();
        assert_eq!(csv.status(), 200, "{path} as CSV");
        assert!(csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));

        check_refusals(&pipeline, &doc, &base, path, responses, &parameters, &query).await;
    }

    // Health, readiness and metrics stay open for orchestrators and Prometheus.
    for open in ["/healthz", "/readyz", "/metrics"] {
        let answer = pipeline
            .http
            .get(format!("{base}{open}"))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200, "{open}");
    }
    // An unsupported format is refused with 406, in JSON.
    let refused = pipeline
        .api
        .get(format!("{base}/api/v1/services"))
        .header("accept", "application/xml")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 406);
}

/// The values a Grafana variable takes: each option of a custom variable; the first
/// service for the `service` query variable (checked separately).
fn variable_values(dashboard: &Value) -> BTreeMap<String, Vec<String>> {
    let mut values = BTreeMap::new();
    for variable in dashboard["templating"]["list"].as_array().unwrap() {
        let name = variable["name"].as_str().unwrap().to_string();
        let options: Vec<String> = match variable["type"].as_str().unwrap() {
            "custom" => variable["query"]
                .as_str()
                .unwrap()
                .split(',')
                .map(str::to_string)
                .collect(),
            _ => vec![variable["current"]["value"].as_str().unwrap().to_string()],
        };
        values.insert(name, options);
    }
    values
}

/// Every Infinity query in a provisioning document: objects with a `url` and `columns`.
fn queries(value: &Value, found: &mut Vec<Value>) {
    match value {
        Value::Object(map) => {
            if map.contains_key("url") && map.contains_key("columns") {
                found.push(value.clone());
            }
            map.values().for_each(|v| queries(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| queries(v, found)),
        _ => {}
    }
}

/// Grafana's time macros, as the dashboard would send them for September 2026.
fn builtin(text: &str) -> String {
    text.replace("${__from:date:YYYY-MM-DD}", "2026-09-01")
        .replace("${__to:date:YYYY-MM-DD}", "2026-10-01")
        .replace("${__from:date:iso}", "2026-09-01T00:00:00Z")
        .replace("${__to:date:iso}", "2026-10-01T00:00:00Z")
}

fn substitute(text: &str, name: &str, value: &str) -> String {
    text.replace(&format!("${{{name}}}"), value)
        .replace(&format!("${name}"), value)
}

/// Without a token or with a wrong one: the documented 401; each documented parameter with
/// a malformed value, and an unknown one: a 400 naming it.
async fn check_refusals(
    pipeline: &Pipeline,
    doc: &Value,
    base: &str,
    path: &str,
    responses: &Value,
    parameters: &[Value],
    query: &[(String, String)],
) {
    // Without a token, or with a wrong one: the documented 401 with a JSON error.
    assert!(responses.get("401").is_some(), "{path}: 401 undocumented");
    for client in [
        pipeline.http.get(format!("{base}{path}")),
        pipeline
            .http
            .get(format!("{base}{path}"))
            .bearer_auth("wrong"),
    ] {
        let refused = client.send().await.unwrap();
        assert_eq!(refused.status(), 401, "{path}");
        assert_eq!(refused.headers()["www-authenticate"], "Bearer");
        let error: Value = refused.json().await.unwrap();
        check(
            doc,
            &responses["401"]["content"]["application/json"]["schema"],
            &error,
            path,
        )
        .unwrap();
    }

    // Each documented parameter with a malformed value, and an unknown one: 400 naming it.
    assert!(responses.get("400").is_some(), "{path}: 400 undocumented");
    let mut bad_values: Vec<(String, Vec<(String, String)>)> = parameters
        .iter()
        .map(|p| {
            let name = p["name"].as_str().unwrap().to_string();
            let mut bad = query.to_vec();
            bad.retain(|(n, _)| *n != name);
            bad.push((name.clone(), "no such value' OR 1=1 --".to_string()));
            (name, bad)
        })
        .collect();
    let mut unknown = query.to_vec();
    unknown.push(("grop_by".into(), "channel".into()));
    bad_values.push(("grop_by".into(), unknown));
    for (name, bad) in bad_values {
        let refused = pipeline
            .api
            .get(format!("{base}{path}"))
            .query(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 400, "{path} with bad `{name}`");
        let error: Value = refused.json().await.unwrap();
        check(
            doc,
            &responses["400"]["content"]["application/json"]["schema"],
            &error,
            path,
        )
        .unwrap();
        let message = error["error"]["message"].as_str().unwrap();
        assert!(message.contains(&format!("`{name}`")), "{path}: {message}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn grafana_provisioning_queries_answer_with_the_columns_panels_read() {
    require_shared_servers();
    let (pipeline, _api) = api_with_data().await;
    let base = format!("http://127.0.0.1:{}", pipeline.dashboard_port);
    let grafana = repo_root().join("deploy/grafana");
    let datasource =
        std::fs::read_to_string(grafana.join("provisioning/datasources/civicpulse.yaml")).unwrap();
    for expected in [
        "uid: civicpulse-api",
        "type: yesoreyeram-infinity-datasource",
        "auth_method: bearerToken",
        "bearerToken: $CIVICPULSE_DASHBOARD_TOKEN",
    ] {
        assert!(
            datasource.contains(expected),
            "datasource lacks `{expected}`"
        );
    }

    assert!(datasource.contains("uid: civicpulse-prometheus"));

    let mut requests = 0;
    let mut dashboards_with_queries = 0;
    for (name, dashboard) in crate::grafana::dashboards() {
        let variables = variable_values(&dashboard);
        let mut found = Vec::new();
        queries(&dashboard, &mut found);
        if found.is_empty() {
            continue; // Prometheus only: executed by the alerting test.
        }
        dashboards_with_queries += 1;
        requests += check_infinity_queries(&pipeline, &base, &name, &found, &variables).await;
    }
    assert!(
        dashboards_with_queries >= 5,
        "{dashboards_with_queries} dashboards"
    );
    assert!(requests > 60, "{requests} requests");
    assert!(Path::new(&grafana.join("provisioning/dashboards/civicpulse.yaml")).exists());
}

/// Runs every Infinity query of a dashboard with every option of the variables it uses;
/// each answers 200 with the columns its panel reads. How many requests were made.
async fn check_infinity_queries(
    pipeline: &Pipeline,
    base: &str,
    dashboard: &str,
    found: &[Value],
    variables: &BTreeMap<String, Vec<String>>,
) -> usize {
    let mut requests = 0;
    for query in found {
        assert_eq!(query["datasource"]["uid"], "civicpulse-api", "{query}");
        let path = query["url"].as_str().unwrap();
        let params: Vec<(String, String)> = query["url_options"]["params"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["key"].as_str().unwrap().to_string(),
                    builtin(p["value"].as_str().unwrap()),
                )
            })
            .collect();
        // Every option of every variable the query uses, one variable at a time.
        let mut variants = vec![params.clone()];
        for (name, options) in variables {
            if params.iter().any(|(_, v)| {
                v.contains(&format!("${name}")) || v.contains(&format!("${{{name}}}"))
            }) {
                for option in options {
                    variants.push(
                        params
                            .iter()
                            .map(|(k, v)| (k.clone(), substitute(v, name, option)))
                            .collect(),
                    );
                }
            }
        }
        for variant in variants {
            let resolved: Vec<(String, String)> = variant
                .iter()
                .map(|(k, v)| {
                    let mut v = v.clone();
                    for (name, options) in variables {
                        v = substitute(&v, name, &options[0]);
                    }
                    (k.clone(), v)
                })
                .collect();
            assert!(
                resolved.iter().all(|(_, v)| !v.contains('$')),
                "{path}: unresolved variable in {resolved:?}"
            );
            let (status, body) = {
                let response = pipeline
                    .api
                    .get(format!("{base}{path}"))
                    .query(&resolved)
                    .send()
                    .await
                    .unwrap();
                let status = response.status().as_u16();
                (status, response.json::<Value>().await.unwrap())
            };
            assert_eq!(status, 200, "{dashboard}: {path}?{resolved:?}: {body}");
            let rows = body.as_array().unwrap();
            if path == "/api/v1/matrix" || path == "/api/v1/services" {
                assert!(!rows.is_empty(), "{path}?{resolved:?} returned nothing");
            }
            for column in query["columns"].as_array().unwrap() {
                let selector = column["selector"].as_str().unwrap();
                for row in rows {
                    assert!(
                        row.get(selector).is_some(),
                        "{dashboard}: {path}: column `{selector}` missing from {row}"
                    );
                }
            }
            requests += 1;
        }
    }
    requests
}

/// Where `scripts/test` installs schemathesis (PyPI) in a virtualenv.
fn schemathesis() -> std::path::PathBuf {
    let path = dev_dir().join("venv/bin/schemathesis");
    assert!(
        path.exists(),
        "schemathesis is not installed at {}: run the suite with scripts/test, which installs it",
        path.display()
    );
    path
}

/// A minute of schemathesis against the generated OpenAPI document and a running API with
/// data: examples, boundary values, fuzzed and chained requests. Any 5xx fails the test
/// (the API answers a parameter it cannot serve with a 400 naming it).
#[tokio::test(flavor = "multi_thread")]
async fn a_fuzz_run_of_the_openapi_document_finds_no_server_error() {
    require_shared_servers();
    let schemathesis = schemathesis();
    let (pipeline, _api) = api_with_data().await;
    let base = format!("http://127.0.0.1:{}", pipeline.dashboard_port);
    let output = tokio::process::Command::new(schemathesis)
        .args(["run", &format!("{base}/api/v1/openapi.json")])
        .args([
            "--header",
            &format!("Authorization: Bearer {DASHBOARD_TOKEN}"),
        ])
        .args([
            "--checks",
            "not_a_server_error",
            "--max-time",
            "60",
            "--workers",
            "2",
        ])
        .env("NO_COLOR", "1")
        .current_dir(std::env::temp_dir())
        .output()
        .await
        .expect("schemathesis runs");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "schemathesis found server errors:\n{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(report.contains("passed"), "{report}");
}

/// The generated document passes openapi-spec-validator (installed by `scripts/test`), as
/// client generators require before they produce a client.
#[test]
fn the_openapi_document_validates() {
    let validator = dev_dir().join("venv/bin/openapi-spec-validator");
    assert!(
        validator.exists(),
        "openapi-spec-validator is not installed at {}: run the suite with scripts/test, which installs it",
        validator.display()
    );
    let document = serde_json::to_string_pretty(
        &<civicpulse_dashboard_api::openapi::ApiDoc as utoipa::OpenApi>::openapi(),
    )
    .expect("the document serializes");
    let file = tempfile::Builder::new()
        .suffix(".json")
        .tempfile()
        .expect("a temporary file");
    std::fs::write(file.path(), document).expect("written");
    let output = std::process::Command::new(validator)
        .arg(file.path())
        .output()
        .expect("the validator runs");
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
