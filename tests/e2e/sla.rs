//! SLA evaluation end to end: milestones through the gateway, `civicpulse aggregate`, and
//! the stored evaluation of each hand-written case.

use std::time::Duration;

use chrono::{NaiveDate, TimeZone, Utc};
use chrono_tz::America::Toronto;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::*;

/// A passport-in-person milestone at noon, Toronto time, on `date`.
fn step(case_ref: &str, date: &str, milestone: &str) -> Value {
    let day: NaiveDate = date.parse().unwrap();
    let noon = Toronto
        .from_local_datetime(&day.and_hms_opt(12, 0, 0).unwrap())
        .unwrap();
    json!({
        "kind": "milestone", "event_id": Uuid::new_v4().to_string(),
        "occurred_at": noon.with_timezone(&Utc).to_rfc3339(),
        "service_id": "passport-in-person", "case_ref": case_ref,
        "milestone": milestone, "channel": "in_person",
    })
}

/// Waits until `milestones` holds `stored` rows, lets the second of the last insert pass
/// (a run re-reads rows inserted in the second it starts, so the next run would count
/// them again), then runs `civicpulse aggregate`; its output.
async fn aggregate_after(pipeline: &mut Pipeline, stored: u64) -> String {
    pipeline
        .wait_count("milestones", stored, Duration::from_secs(60))
        .await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    aggregate(pipeline)
}

/// Runs `civicpulse aggregate` once; its output.
fn aggregate(pipeline: &mut Pipeline) -> String {
    pipeline.spawn("aggregate").wait_success()
}

#[tokio::test(flavor = "multi_thread")]
async fn hand_written_cases_get_the_expected_status_due_date_lateness_and_refund() {
    require_shared_servers();
    // Five hand-written cases: a threshold of one shows their figures (suppression is
    // checked in process, crates/dashboard-api/tests/sla_routes.rs).
    let mut pipeline = Pipeline::new(Settings {
        min_responses: 1,
        ..Settings::default()
    });
    // Gateway and sink only: this test runs the aggregator itself.
    pipeline.migrate();
    let _gateway = pipeline.start_gateway("gateway").await;
    let _sink = pipeline.spawn("sink");
    let events = vec![
        // A: 10 business days, met.
        step("A", "2026-03-02", "complete"),
        step("A", "2026-03-16", "dispatched"),
        // B: 11 days, one late: 25 % of 160.
        step("B", "2026-03-02", "complete"),
        step("B", "2026-03-17", "dispatched"),
        // C: 14 business days less a 3-day hold: 11, one late.
        step("C", "2026-03-02", "complete"),
        step("C", "2026-03-04", "on_hold"),
        step("C", "2026-03-09", "resumed"),
        step("C", "2026-03-20", "dispatched"),
        // D: 42 business days over Easter: 32 late, full refund.
        step("D", "2026-03-02", "complete"),
        step("D", "2026-05-01", "dispatched"),
        // E: withdrawn.
        step("E", "2026-03-02", "complete"),
        step("E", "2026-03-05", "withdrawn"),
        // F: open since June: breached before it stops.
        step("F", "2026-06-01", "complete"),
        // G: a stop before the start is an anomaly, and G stays open.
        step("G", "2026-03-01", "dispatched"),
        step("G", "2026-03-02", "complete"),
        // The same milestone twice, and out of order, changes nothing.
        step("A", "2026-03-16", "dispatched"),
    ];
    let (status, body) = pipeline.post(&events).await;
    assert_eq!(status, 200, "{body}");
    let first = aggregate_after(&mut pipeline, events.len() as u64).await;
    assert!(
        first.contains("passport-in-person / processing: 7 cases evaluated (full)"),
        "{first}"
    );
    let _api = pipeline.start_dashboard().await;
    let base = format!(
        "http://127.0.0.1:{}/api/v1/sla/cases",
        pipeline.dashboard_port
    );
    let http = pipeline.api.clone();
    let (status, cases) = pipeline
        .api_get("/api/v1/sla/cases?service_id=passport-in-person")
        .await;
    assert_eq!(status, 200, "{cases}");
    let cases = cases.as_array().unwrap();
    let seen: Vec<String> = cases
        .iter()
        .filter(|c| ["A", "B", "C", "D", "E"].contains(&c["case_ref"].as_str().unwrap()))
        .map(|c| {
            format!(
                "{} {} {} {} {} {} {} {}",
                c["case_ref"].as_str().unwrap(),
                c["status"].as_str().unwrap(),
                c["elapsed_business_days"],
                c["paused_business_days"],
                c["due_date"].as_str().unwrap(),
                c["late_days"],
                c["refund_amount"],
                c["currency"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            "A met 10 0 2026-03-16 0 0.0 CAD",
            "B breached 11 0 2026-03-16 1 40.0 CAD",
            "C breached 11 3 2026-03-19 1 40.0 CAD",
            "D breached 42 0 2026-03-16 32 160.0 CAD",
            "E withdrawn 3 0 2026-03-16 0 0.0 CAD",
        ]
    );
    let a = &cases[0];
    assert_eq!(a["started_at"], "2026-03-02T17:00:00Z");
    assert_eq!(a["policy"], "processing");
    assert_eq!(a["limit"], 10);

    // Filters, pagination and errors that name the parameter.
    let (_, breached) = pipeline.api_get("/api/v1/sla/cases?status=breached").await;
    assert_eq!(
        breached.as_array().unwrap().len(),
        5,
        "B, C, D, F and G are breached"
    );
    let page = http
        .get(format!("{base}?service_id=passport-in-person&limit=4"))
        .send()
        .await
        .unwrap();
    let cursor = page.headers()["x-next-cursor"]
        .to_str()
        .unwrap()
        .to_string();
    let first_page: Vec<Value> = page.json().await.unwrap();
    let (_, rest) = pipeline
        .api_get(&format!(
            "/api/v1/sla/cases?service_id=passport-in-person&limit=4&cursor={cursor}"
        ))
        .await;
    let refs: Vec<&str> = first_page
        .iter()
        .chain(rest.as_array().unwrap())
        .map(|c| c["case_ref"].as_str().unwrap())
        .collect();
    assert_eq!(refs, ["A", "B", "C", "D", "E", "F", "G"]);
    let (status, body) = pipeline.api_get("/api/v1/sla/cases?status=late").await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "bad_parameter");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("`status`"));
    let (status, _) = pipeline
        .api_get("/api/v1/sla/cases?service_id=x'%20OR%201=1")
        .await;
    assert_eq!(status, 400);

    let anomaly = pipeline
        .query("SELECT status, isNull(stopped_at), anomalies FROM sla_cases FINAL WHERE case_ref = 'G' FORMAT TSV")
        .await
        .unwrap();
    assert_eq!(anomaly, "breached\t1\tstop_before_start\n");
    let open = pipeline
        .query("SELECT status, toString(due_date), isNull(stopped_at) FROM sla_cases FINAL WHERE case_ref = 'F' FORMAT TSV")
        .await
        .unwrap();
    assert_eq!(open, "breached\t2026-06-15\t1\n");

    // F is delivered: a run the same day reads only what changed (F); G, still open, was
    // evaluated today and cannot have changed.
    let (status, _) = pipeline
        .post(&[step("F", "2026-06-19", "dispatched")])
        .await;
    assert_eq!(status, 200);
    let second = aggregate_after(&mut pipeline, events.len() as u64 + 1).await;
    assert!(
        second.contains("passport-in-person / processing: 1 cases evaluated (incremental)"),
        "{second}"
    );
    // The next day, the open case is read again (its elapsed days grew).
    let tomorrow = (Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let next_day = pipeline
        .spawn_args(&["aggregate", "--as-of", &tomorrow], &[])
        .wait_success();
    assert!(
        next_day.contains("passport-in-person / processing: 1 cases evaluated (incremental)"),
        "{next_day}"
    );
    let g_evaluated_tomorrow = pipeline
        .query("SELECT evaluated_at > now() FROM sla_cases FINAL WHERE case_ref = 'G'")
        .await
        .unwrap();
    assert_eq!(g_evaluated_tomorrow.trim(), "1");
    let closed = pipeline
        .query("SELECT status, elapsed_days, late_days, refund_amount FROM sla_cases FINAL WHERE case_ref = 'F' FORMAT TSV")
        .await
        .unwrap();
    // (Jun 1, Jun 19] holds 14 business days: 4 late, 25 % of 160.
    assert_eq!(closed, "breached\t14\t4\t40\n");

    // A changed policy re-evaluates every case from the raw milestones. (The first two
    // `limit = 10` are the in-person policy's and its default option's, `regular`.)
    let catalog = std::fs::read_to_string(repo_root().join("catalog.toml"))
        .unwrap()
        .replacen("limit = 10\n", "limit = 12\n", 2);
    let changed = pipeline.dir.path().join("catalog-limit-12.toml");
    std::fs::write(&changed, catalog).unwrap();
    let rerun = pipeline
        .spawn_args(
            &["aggregate"],
            &[("CIVICPULSE_CATALOG_PATH", changed.display().to_string())],
        )
        .wait_success();
    assert!(
        rerun.contains("passport-in-person / processing: 7 cases evaluated (full)"),
        "{rerun}"
    );
    let relaxed = pipeline
        .query("SELECT case_ref, status, late_days, refund_amount FROM sla_cases FINAL WHERE case_ref IN ('B', 'D') ORDER BY case_ref FORMAT TSV")
        .await
        .unwrap();
    assert_eq!(relaxed, "B\tmet\t0\t0\nD\tbreached\t30\t80\n");
    // Back to the shipped catalog for the figures below.
    assert!(aggregate(&mut pipeline).contains("7 cases evaluated (full)"));

    // The summary over March–June, once F is closed.
    let (_, summary) = pipeline
        .api_get("/api/v1/sla/summary?service_id=passport-in-person&from=2026-03-01&to=2026-07-01")
        .await;
    let summary = summary.as_array().unwrap();
    assert_eq!(summary.len(), 1, "{summary:?}");
    let s = &summary[0];
    let figures = [
        "closed",
        "met",
        "breached",
        "compliance_ratio",
        "target_ratio",
        "p50_elapsed_days",
        "p90_elapsed_days",
        "open",
        "at_risk",
        "open_breached",
        "refunds_owed",
        "refunds_owed_amount",
        "anomalies",
        "error_budget_remaining",
        "burn_rate_1d",
        "burn_rate_7d",
        "burn_rate_30d",
        "refunds_owed_minor",
    ]
    .map(|k| s[k].to_string())
    .join(" ");
    assert_eq!(
        figures,
        "5 1 4 0.2 0.9 11.0 42.0 1 0 1 4 280.0 1 -7.0 null null 10.0 28000"
    );
    let (status, _) = pipeline
        .api_get("/api/v1/sla/summary?from=2026-07-01&to=2026-03-01")
        .await;
    assert_eq!(status, 400);

    // The dashboard API's /metrics carries the SLA gauges for Prometheus (30-day window:
    // these March–June cases are closed outside it; G is open and past its limit).
    let metrics = pipeline.metrics(pipeline.dashboard_port).await;
    let gauge = |name: &str| {
        metrics
            .lines()
            .find(|l| {
                l.starts_with(&format!("{name}{{"))
                    && l.contains("service_id=\"passport-in-person\"")
            })
            .and_then(|l| l.rsplit(' ').next())
            .map(str::to_string)
    };
    assert_eq!(
        gauge("civicpulse_sla_open_breached_cases").as_deref(),
        Some("1"),
        "{metrics}"
    );
    assert_eq!(gauge("civicpulse_sla_closed_cases").as_deref(), Some("0"));
    assert_eq!(gauge("civicpulse_sla_target_ratio").as_deref(), Some("0.9"));
    assert_eq!(
        gauge("civicpulse_sla_anomalous_cases").as_deref(),
        Some("1"),
        "G"
    );
    assert_eq!(
        gauge("civicpulse_sla_compliance_ratio"),
        None,
        "no ratio without closed cases"
    );
}

/// The simulator's surge pushes the passport service past its standard, and refunds follow:
/// cases started in the surge breach far more often than cases before it (open or closed).
/// An incremental run reads the change log for the changed cases, then their milestones
/// from the earliest month any of them spans: the month of a case's first milestone (as
/// its last evaluation recorded it) and of any late-arriving older one.
#[tokio::test(flavor = "multi_thread")]
async fn an_incremental_run_reads_every_month_a_changed_case_spans() {
    require_shared_servers();
    let mut pipeline = Pipeline::new(Settings::default());
    pipeline.migrate();
    let _gateway = pipeline.start_gateway("gateway").await;
    let _sink = pipeline.spawn("sink");
    // H starts in April; J's stop arrives first, in May, and its April start comes late.
    let first = [
        step("H", "2026-04-28", "complete"),
        step("J", "2026-05-12", "dispatched"),
    ];
    assert_eq!(pipeline.post(&first).await.0, 200);
    let run = aggregate_after(&mut pipeline, 2).await;
    assert!(
        run.contains("processing: 2 cases evaluated (full)"),
        "{run}"
    );

    // H's stop, in May: the run must read H's April start too.
    assert_eq!(
        pipeline
            .post(&[step("H", "2026-05-12", "dispatched")])
            .await
            .0,
        200
    );
    let run = aggregate_after(&mut pipeline, 3).await;
    assert!(
        run.contains("processing: 1 cases evaluated (incremental)"),
        "{run}"
    );
    // J's start, in April, older than anything J had: the run reads from April on.
    assert_eq!(
        pipeline
            .post(&[step("J", "2026-04-28", "complete")])
            .await
            .0,
        200
    );
    let run = aggregate_after(&mut pipeline, 4).await;
    assert!(
        run.contains("processing: 1 cases evaluated (incremental)"),
        "{run}"
    );
    let cases = pipeline
        .query(
            "SELECT case_ref, status, elapsed_days, toString(first_at) FROM sla_cases FINAL \
             WHERE case_ref IN ('H', 'J') ORDER BY case_ref FORMAT TSV",
        )
        .await
        .unwrap();
    // (Apr 28, May 12] holds 10 business days: both met on the tenth, from 16:00 UTC
    // (noon in Toronto) on April 28.
    assert_eq!(
        cases,
        "H\tmet\t10\t2026-04-28 16:00:00\nJ\tmet\t10\t2026-04-28 16:00:00\n"
    );

    // As of 1 May, neither had been dispatched: a point-in-time run leaves out the May
    // stops, so both are open, three business days in (Apr 29, Apr 30, May 1).
    let case_states =
        "SELECT case_ref, status, elapsed_days, isNull(stopped_at) FROM sla_cases FINAL \
         WHERE case_ref IN ('H', 'J') ORDER BY case_ref FORMAT TSV";
    let then = pipeline
        .spawn_args(&["aggregate", "--as-of", "2026-05-01T18:00:00Z"], &[])
        .wait_success();
    assert!(
        then.contains("processing: 2 cases evaluated (incremental)"),
        "{then}"
    );
    assert_eq!(
        pipeline.query(case_states).await.unwrap(),
        "H\ton_track\t3\t1\nJ\ton_track\t3\t1\n"
    );
    // The next run, as of now, reads them again and sees the stops.
    let now = pipeline.spawn("aggregate").wait_success();
    assert!(
        now.contains("processing: 2 cases evaluated (incremental)"),
        "{now}"
    );
    assert_eq!(
        pipeline.query(case_states).await.unwrap(),
        "H\tmet\t10\t0\nJ\tmet\t10\t0\n"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_simulated_surge_breaches_the_passport_standard_and_refunds_follow() {
    require_shared_servers();
    let mut pipeline = Pipeline::new(Settings::default());
    pipeline.migrate();
    let _gateway = pipeline.start_gateway("gateway").await;
    let _sink = pipeline.spawn("sink");
    let simulate = pipeline.spawn_args(
        &[
            "simulate",
            "--rate",
            "3000",
            "--duration",
            "8s",
            "--seed",
            "11",
        ],
        &[("CIVICPULSE_SIMULATOR_KEY", API_KEY.to_string())],
    );
    // 60 days of history; the surge covers 55–80 % of the window.
    let mut simulate = simulate;
    assert!(
        simulate.wait_exit(Duration::from_secs(180)).await,
        "simulator failed: {}",
        simulate.log_text()
    );
    assert!(simulate.log_text().contains("accepted"));
    // Wait for the sink to settle (two equal counts in a row), then evaluate.
    let mut last = u64::MAX;
    for _ in 0..240 {
        let stored = milestones_stored(&pipeline).await;
        if stored > 10_000 && stored == last {
            break;
        }
        last = stored;
        tokio::time::sleep(Duration::from_millis(750)).await;
    }
    pipeline.spawn("aggregate").wait_success();

    let now = Utc::now();
    let day = |days_ago: i64| (now - chrono::Duration::days(days_ago)).timestamp();
    let share = |from: i64, to: i64| {
        format!(
            "SELECT toString(countIf(status = 'breached') / count()), toString(sum(refund_amount)), count() FROM sla_cases FINAL \
             WHERE service_id = 'passport-in-person' AND status NOT IN ('withdrawn', 'not_started') \
             AND started_at >= toDateTime({from}) AND started_at < toDateTime({to}) FORMAT TSV"
        )
    };
    let before = pipeline.query(&share(day(58), day(30))).await.unwrap();
    let surge = pipeline.query(&share(day(26), day(14))).await.unwrap();
    let parse = |tsv: &str| -> (f64, f64, u64) {
        let f: Vec<&str> = tsv.trim().split('\t').collect();
        (
            f[0].parse().unwrap(),
            f[1].parse().unwrap(),
            f[2].parse().unwrap(),
        )
    };
    let (before_share, before_refunds, before_n) = parse(&before);
    let (surge_share, surge_refunds, surge_n) = parse(&surge);
    assert!(
        before_n >= 20 && surge_n >= 20,
        "too few closed cases: {before} / {surge}"
    );
    // Most surge cases are breached (the youngest have not reached the limit yet), while
    // the service kept its standard before the surge.
    assert!(surge_share >= 0.5, "surge breach share {surge_share}");
    assert!(before_share <= 0.2, "pre-surge breach share {before_share}");
    assert!(
        surge_share - before_share >= 0.4,
        "{surge_share} vs {before_share}"
    );
    // Refunds follow: per case, the surge owes several times what the weeks before owed.
    let per_case = |refunds: f64, n: u64| refunds / n as f64;
    assert!(
        surge_refunds > 0.0
            && per_case(surge_refunds, surge_n) >= 3.0 * per_case(before_refunds, before_n),
        "refunds {surge_refunds} over {surge_n} cases vs {before_refunds} over {before_n}"
    );
}

/// Milestones stored so far (raw count: cheap, and enough to see the sink settle).
async fn milestones_stored(pipeline: &Pipeline) -> u64 {
    pipeline
        .query("SELECT count() FROM milestones")
        .await
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(0)
}
