//! The quality matrix end to end: events generated here go through the gateway, Kafka, the
//! sink and `civicpulse aggregate`; the API's matrix is compared with one computed here in
//! plain Rust over the same events (local days, deduplication, suppression, benchmarks,
//! previous period, breakdowns), never through the rollups' SQL.

mod expected;
mod harness;
mod world;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use chrono_tz::America::Toronto;
use civicpulse_core::Catalog;
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::*;

use expected::*;
pub(crate) use harness::load;
use harness::*;
pub(crate) use world::generate;
use world::*;

#[tokio::test(flavor = "multi_thread")]
async fn the_matrix_matches_an_independent_computation_over_the_same_events() {
    require_shared_servers();
    let catalog = Catalog::load(&repo_root().join("catalog.toml")).unwrap();
    let world = generate(&catalog, 7, 120);
    let mut pipeline = Pipeline::new(Settings {
        min_responses: K,
        ..Settings::default()
    });
    load(&mut pipeline, &world).await;
    let _api = pipeline.start_dashboard().await;
    let withheld = assert_september_matches(&pipeline, &catalog, &world).await;
    assert!(withheld > 0, "some cells are small enough to be withheld");
    let closed = closed_cases(&catalog, &world);

    // Broken down by channel (on-birth-certificate is web and mail).
    let (status, cells) = pipeline
        .api_get("/api/v1/matrix?period=2026-09&group_by=channel&service_id=on-birth-certificate")
        .await;
    assert_eq!(status, 200, "{cells}");
    let cells = cells.as_array().unwrap();
    let groups: BTreeSet<&str> = cells.iter().map(|c| c["group"].as_str().unwrap()).collect();
    assert_eq!(groups, BTreeSet::from(["mail", "web"]));
    for cell in cells {
        let channel = cell["group"].as_str().unwrap();
        let dimension = cell["dimension"].as_str().unwrap();
        let expected = expected_row(
            &catalog,
            &world,
            &closed,
            "on-birth-certificate",
            Some(channel),
            (2026, 9),
        );
        if cell["status"] == "not_available" {
            // Equity is not broken down by channel; other figures only when they do not
            // apply (see expected_row).
            assert!(
                cell["family"] == "equity" || !expected.contains_key(dimension),
                "{cell}"
            );
            continue;
        }
        let (value, n) = expected[dimension];
        assert!(
            close(number(&cell["value"]), value),
            "{channel} {dimension}: API {} vs expected {value:?}",
            cell["value"]
        );
        assert_eq!(cell["n"].as_u64(), Some(n), "{channel} {dimension}");
    }

    // CSV carries the same rows.
    let csv = pipeline
        .api
        .get(format!(
            "http://127.0.0.1:{}/api/v1/matrix?period=2026-09&dimension=sla_compliance",
            pipeline.dashboard_port
        ))
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.unwrap();
    let mut lines = text.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("period,period_from,period_to,service_id"));
    assert_eq!(lines.count(), catalog.services.len());
}

#[tokio::test(flavor = "multi_thread")]
async fn time_series_buckets_agree_with_the_matrix_and_gauges_reach_prometheus() {
    require_shared_servers();
    let catalog = Catalog::load(&repo_root().join("catalog.toml")).unwrap();
    let world = generate(&catalog, 11, 40);
    let mut pipeline = Pipeline::new(Settings {
        min_responses: K,
        ..Settings::default()
    });
    load(&mut pipeline, &world).await;
    let _api = pipeline.start_dashboard().await;

    // Monthly buckets of a count are the matrix's monthly counts.
    let (status, points) = pipeline
        .api_get("/api/v1/timeseries?metric=transactions&service_id=passport-by-mail&from=2026-08-01&to=2026-10-01&interval=month")
        .await;
    assert_eq!(status, 200, "{points}");
    let points = points.as_array().unwrap();
    let times: Vec<&str> = points.iter().map(|p| p["time"].as_str().unwrap()).collect();
    assert_eq!(times, ["2026-08-01T00:00:00Z", "2026-09-01T00:00:00Z"]);
    for (point, month) in points.iter().zip([8, 9]) {
        let expected = world
            .offers
            .iter()
            .filter(|o| {
                o.service == "passport-by-mail"
                    && local(o.at).month() == month
                    && local(o.at).year() == 2026
            })
            .count();
        assert_eq!(point["value"].as_f64(), Some(expected as f64), "{point}");
    }
    // Daily buckets of a share withhold days with fewer than K answers, and say so.
    let (_, daily) = pipeline
        .api_get("/api/v1/timeseries?metric=satisfaction_top2_share&service_id=passport-by-mail&from=2026-08-01&to=2026-10-01")
        .await;
    let daily = daily.as_array().unwrap();
    assert!(!daily.is_empty());
    for point in daily {
        let n = point["n"].as_u64().unwrap();
        assert_eq!(point["value"].is_null(), n < K, "{point}");
    }

    // Each run snapshots this month's matrix (whole services) as the API computes it.
    let month = civicpulse_analytics::period::Period::month_of(
        Utc::now().with_timezone(&Toronto).date_naive(),
    );
    let (status, stored) = pipeline
        .api_get(&format!(
            "/api/v1/matrix/snapshots?period={}&dimension=transactions",
            month.label
        ))
        .await;
    assert_eq!(status, 200, "{stored}");
    let (_, live) = pipeline
        .api_get(&format!(
            "/api/v1/matrix?period={}&dimension=transactions",
            month.label
        ))
        .await;
    let by_service = |rows: &Value| -> BTreeMap<String, Option<f64>> {
        rows.as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["service_id"].as_str().unwrap().to_string(),
                    r["value"].as_f64(),
                )
            })
            .collect()
    };
    assert_eq!(
        by_service(&stored).len(),
        catalog.services.len(),
        "{stored}"
    );
    assert_eq!(by_service(&stored), by_service(&live));

    // Bad parameters are named.
    for (query, parameter) in [
        ("metric=happiness", "metric"),
        ("metric=responses&interval=hourly", "interval"),
        ("metric=responses&from=2026-09-01&to=2026-08-01", "from"),
        ("metric=responses&service_id=nope", "service_id"),
    ] {
        let (status, body) = pipeline
            .api_get(&format!("/api/v1/timeseries?{query}"))
            .await;
        assert_eq!(status, 400, "{query}: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains(&format!("`{parameter}`")),
            "{query}: {body}"
        );
    }

    // /metrics carries the current month's matrix per service and dimension.
    let metrics = pipeline.metrics(pipeline.dashboard_port).await;
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("civicpulse_matrix_target{")
                && l.contains("dimension=\"satisfaction_top2_share\"")
                && l.ends_with(" 0.8")),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_intervention_is_judged_before_and_after_and_against_its_peers() {
    require_shared_servers();
    let today = Utc::now().with_timezone(&Toronto).date_naive();
    let recent = today - chrono::Days::new(3);
    let catalog_text = format!(
        "{}\n[[interventions]]\nid = \"birth-online\"\nservice_id = \"on-birth-certificate\"\nname = \"Online ordering\"\ndate = \"2026-06-01\"\n\n[[interventions]]\nid = \"birth-too-new\"\nservice_id = \"on-birth-certificate\"\nname = \"New form\"\ndate = \"{recent}\"\n",
        std::fs::read_to_string(repo_root().join("catalog.toml")).unwrap()
    );
    let mut pipeline = Pipeline::new(Settings {
        catalog: Some(catalog_text),
        ..Settings::default()
    });
    // 28-day windows: before 4–31 May, after 1–28 June (local noon each day).
    let mut events = Vec::new();
    let mut answer = |service: &str, day: NaiveDate, satisfaction: u8| {
        let noon = Toronto
            .from_local_datetime(&day.and_hms_opt(12, 0, 0).unwrap())
            .unwrap();
        let channel = match service {
            "passport-in-person" => "in_person",
            "passport-by-mail" => "mail",
            _ => "web",
        };
        events.push(json!({
            "kind": "feedback", "event_id": Uuid::new_v4().to_string(),
            "occurred_at": noon.with_timezone(&Utc).to_rfc3339(), "service_id": service,
            "channel": channel, "answers": {"satisfaction": satisfaction},
        }));
    };
    let before: NaiveDate = "2026-05-04".parse().unwrap();
    let after: NaiveDate = "2026-06-01".parse().unwrap();
    let spread = |i: usize| chrono::Days::new((i % 28) as u64);
    // Treated: 20 of 40 satisfied before, 32 of 40 after.
    for i in 0..40 {
        answer(
            "on-birth-certificate",
            before + spread(i),
            if i < 20 { 5 } else { 2 },
        );
        answer(
            "on-birth-certificate",
            after + spread(i),
            if i < 32 { 4 } else { 1 },
        );
    }
    // Peers pooled: 40 of 80 before, 48 of 80 after.
    for (i, service) in (0..80).map(|i| (i, ["passport-in-person", "passport-by-mail"][i % 2])) {
        answer(service, before + spread(i), if i < 40 { 5 } else { 2 });
        answer(service, after + spread(i), if i < 48 { 5 } else { 2 });
    }
    // Outside both windows: must not count.
    answer("on-birth-certificate", "2026-06-29".parse().unwrap(), 1);
    answer("on-birth-certificate", "2026-05-03".parse().unwrap(), 1);
    pipeline.migrate();
    let _gateway = pipeline.start_gateway("gateway").await;
    let _sink = pipeline.spawn("sink");
    pipeline.client().post_all(&events, 500).await;
    pipeline
        .wait_count("feedback", events.len() as u64, Duration::from_secs(60))
        .await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    pipeline.spawn("aggregate").wait_success();
    let _api = pipeline.start_dashboard().await;

    let (status, rows) = pipeline
        .api_get(
            "/api/v1/interventions?intervention_id=birth-online&dimension=satisfaction_top2_share",
        )
        .await;
    assert_eq!(status, 200, "{rows}");
    let row = &rows[0];
    assert_eq!(row["window_days"], 28);
    assert_eq!(
        (row["before_from"].as_str(), row["after_to"].as_str()),
        (Some("2026-05-04"), Some("2026-06-29"))
    );
    assert_eq!(
        (row["before_n"].as_u64(), row["after_n"].as_u64()),
        (Some(40), Some(40))
    );
    assert!(close(number(&row["before_value"]), Some(0.5)));
    assert!(close(number(&row["after_value"]), Some(0.8)));
    assert!(close(number(&row["change"]), Some(0.3)));
    // Newcombe's interval for 32/40 − 20/40, computed by hand from the two Wilson
    // intervals: it excludes zero, so the change is an improvement.
    let (a_low, a_high) = civicpulse_analytics::matrix::stats::wilson(32, 40).unwrap();
    let (b_low, b_high) = civicpulse_analytics::matrix::stats::wilson(20, 40).unwrap();
    let low = 0.3 - ((0.8 - a_low).powi(2) + (b_high - 0.5).powi(2)).sqrt();
    let high = 0.3 + ((a_high - 0.8).powi(2) + (0.5 - b_low).powi(2)).sqrt();
    assert!(close(number(&row["change_ci_low"]), Some(low)), "{row}");
    assert!(close(number(&row["change_ci_high"]), Some(high)), "{row}");
    assert_eq!(row["verdict"], "improved");
    // Peers rose 10 points, so 20 are the intervention's; with these numbers the 95 %
    // interval still includes zero, and the API says so instead of claiming an effect.
    assert_eq!(row["peers"], "passport-in-person,passport-by-mail");
    assert!(close(number(&row["peer_change"]), Some(0.1)), "{row}");
    assert!(close(number(&row["did"]), Some(0.2)), "{row}");
    let half = 1.959_963_984_540_054
        * (0.5 * 0.5 / 40.0 + 0.8 * 0.2 / 40.0 + 0.5 * 0.5 / 80.0 + 0.6 * 0.4 / 80.0f64).sqrt();
    assert!(
        close(number(&row["did_ci_high"]), Some(0.2 + half)),
        "{row}"
    );
    assert_eq!(row["did_verdict"], "no_clear_change");

    // A dimension without data, and an intervention too recent to judge, say so.
    let (_, rows) = pipeline
        .api_get("/api/v1/interventions?intervention_id=birth-online&dimension=sla_compliance")
        .await;
    assert_eq!(rows[0]["verdict"], "insufficient_data", "{rows}");
    let (_, rows) = pipeline
        .api_get(
            "/api/v1/interventions?intervention_id=birth-too-new&dimension=satisfaction_top2_share",
        )
        .await;
    assert_eq!(rows[0]["verdict"], "too_early", "{rows}");
    assert!(
        rows[0]["note"].as_str().unwrap().contains("at least 7"),
        "{rows}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn incremental_rollups_end_where_a_full_computation_does() {
    require_shared_servers();
    let catalog = Catalog::load(&repo_root().join("catalog.toml")).unwrap();
    let world = generate(&catalog, 5, 60);
    let mut pipeline = Pipeline::new(Settings {
        min_responses: K,
        ..Settings::default()
    });
    pipeline.migrate();
    let _gateway = pipeline.start_gateway("gateway").await;
    let _sink = pipeline.spawn("sink");
    // First everything that happened before 15 September, then the rest: cases open at the
    // first run close later (their responses move from unlinked to met or breached).
    let cut = at("2026-09-15T00:00:00Z");
    let (early, late): (Vec<Value>, Vec<Value>) = world
        .events
        .iter()
        .cloned()
        .partition(|e| at(e["occurred_at"].as_str().unwrap()) < cut);
    let first = send_and_aggregate(&mut pipeline, &early, &early).await;
    assert!(
        first.contains("matrix passport-by-mail:") && first.contains("(full)"),
        "{first}"
    );
    let second = send_and_aggregate(&mut pipeline, &late, &world.events).await;
    let refreshed: u64 = second
        .lines()
        .filter(|l| l.starts_with("matrix passport-by-mail:"))
        .map(|l| {
            assert!(l.ends_with("(incremental)"), "{l}");
            l.split_whitespace().nth(2).unwrap().parse::<u64>().unwrap()
        })
        .sum();
    assert!(refreshed > 0 && refreshed < 120, "{second}");
    let _api = pipeline.start_dashboard().await;
    assert_september_matches(&pipeline, &catalog, &world).await;

    // A trickle on one day (the usual run between two others): one slice is recomputed,
    // joining only the cases answered that day.
    let mut world = world;
    let before = world.events.len();
    let mut rng = StdRng::seed_from_u64(99);
    for i in 0..30 {
        let case_ref = format!("passport-by-mail-{i}");
        world.respond(
            &mut rng,
            "passport-by-mail",
            at("2026-09-20T15:00:00Z"),
            "mail",
            Some(case_ref),
        );
    }
    let trickle = world.events[before..].to_vec();
    let third = send_and_aggregate(&mut pipeline, &trickle, &world.events).await;
    assert!(
        third.contains("matrix passport-by-mail: 1 days refreshed (incremental)"),
        "{third}"
    );
    assert_september_matches(&pipeline, &catalog, &world).await;
}
