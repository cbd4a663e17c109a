//! Privacy as a privacy office audits it (issue 25): a case erased on request leaves no
//! trace in any table while the figures are recomputed without it, and retention drops
//! whole expired months while the rollups of those months keep their figures, even in a run
//! whose figures fail — on one node and on the cluster.

use std::time::Duration;

use chrono::{NaiveDate, TimeZone, Utc};
use chrono_tz::America::Toronto;
use civicpulse_store::tables::ALL;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::support::*;

const SERVICE: &str = "passport-in-person";
const ERASED: &str = "PRIV-ERASE-7731";
const KEPT: &str = "PRIV-KEEP-4410";

/// Noon in Toronto on `date`, as RFC 3339.
fn noon(date: &str) -> String {
    let day: NaiveDate = date.parse().unwrap();
    Toronto
        .from_local_datetime(&day.and_hms_opt(12, 0, 0).unwrap())
        .unwrap()
        .with_timezone(&Utc)
        .to_rfc3339()
}

fn step(id: Uuid, case_ref: &str, date: &str, milestone: &str) -> Value {
    json!({
        "kind": "milestone", "event_id": id.to_string(), "occurred_at": noon(date),
        "service_id": SERVICE, "case_ref": case_ref, "milestone": milestone, "channel": "in_person",
    })
}

fn response(id: Uuid, case_ref: &str, date: &str, satisfaction: u8) -> Value {
    json!({
        "kind": "feedback", "event_id": id.to_string(), "occurred_at": noon(date),
        "service_id": SERVICE, "channel": "in_person", "case_ref": case_ref,
        "answers": {"satisfaction": satisfaction, "ease": 4},
        "comment": "The counter was slow but the agent was kind.",
    })
}

fn transaction(id: Uuid, case_ref: &str, date: &str) -> Value {
    json!({
        "kind": "offered", "event_id": id.to_string(), "occurred_at": noon(date),
        "service_id": SERVICE, "channel": "in_person", "case_ref": case_ref, "survey_offered": true,
    })
}

/// One number a query answers.
async fn number(pipeline: &Pipeline, sql: &str) -> u64 {
    let text = pipeline
        .query(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    text.trim()
        .parse()
        .unwrap_or_else(|_| panic!("{sql}: {text}"))
}

/// The service's figures as the rollups hold them: closed cases met, responses,
/// transactions (the whole service, every day).
async fn figures(pipeline: &Pipeline) -> (u64, u64, u64) {
    let all = format!("service_id = '{SERVICE}' AND group_kind = 'all'");
    (
        number(
            pipeline,
            &format!("SELECT sum(met) FROM matrix_sla_daily FINAL WHERE {all}"),
        )
        .await,
        number(
            pipeline,
            &format!("SELECT sum(responses) FROM matrix_feedback_daily FINAL WHERE {all}"),
        )
        .await,
        number(
            pipeline,
            &format!("SELECT sum(transactions) FROM matrix_activity_daily FINAL WHERE {all}"),
        )
        .await,
    )
}

/// Lets the second of the last write pass, then runs `civicpulse aggregate`; its output.
async fn aggregate(pipeline: &mut Pipeline) -> String {
    tokio::time::sleep(Duration::from_millis(1100)).await;
    pipeline.spawn("aggregate").wait_success()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_erased_case_leaves_no_trace_in_any_table_and_no_longer_counts() {
    require_shared_servers();
    let mut pipeline = Pipeline::new(Settings {
        min_responses: 1,
        ..Settings::default()
    });
    pipeline.migrate();
    let _gateway = pipeline.start_gateway("gateway").await;
    let _sink = pipeline.spawn("sink");

    // Two cases met in 10 business days, each with a response (and its comment) and a
    // transaction. The erased case's start was first sent dated in February, then corrected
    // to March under the same event id: two versions, and a supersede decision.
    let ids = |n: usize| (0..n).map(|_| Uuid::new_v4()).collect::<Vec<_>>();
    let (erased, kept) = (ids(4), ids(4));
    let first_version = vec![step(erased[0], ERASED, "2026-02-27", "complete")];
    let (status, body) = pipeline.post(&first_version).await;
    assert_eq!(status, 200, "{body}");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let events = vec![
        step(erased[0], ERASED, "2026-03-02", "complete"),
        step(erased[1], ERASED, "2026-03-16", "dispatched"),
        response(erased[2], ERASED, "2026-03-17", 2),
        transaction(erased[3], ERASED, "2026-03-02"),
        step(kept[0], KEPT, "2026-03-02", "complete"),
        step(kept[1], KEPT, "2026-03-16", "dispatched"),
        response(kept[2], KEPT, "2026-03-17", 5),
        transaction(kept[3], KEPT, "2026-03-02"),
    ];
    let (status, body) = pipeline.post(&events).await;
    assert_eq!(status, 200, "{body}");
    // Both versions of the start are stored (18.16's FINAL collapses them across months).
    wait_until("five milestone rows", Duration::from_secs(60), || async {
        number(&pipeline, "SELECT count() FROM milestones").await == 5
    })
    .await;
    pipeline
        .wait_count("feedback_comments", 2, Duration::from_secs(60))
        .await;
    pipeline
        .wait_count("offered", 2, Duration::from_secs(60))
        .await;
    aggregate(&mut pipeline).await;
    assert_eq!(figures(&pipeline).await, (2, 2, 2), "both cases count");
    assert!(
        number(&pipeline, "SELECT count() FROM superseded_events").await >= 2,
        "the re-sent start was decided"
    );

    // A service not in the catalog, or a requester no audit filter could find, is refused
    // before anything is erased or recorded.
    let erase = |service: &'static str, requested_by: &'static str| {
        [
            "erase",
            "--case-ref",
            "-",
            "--service",
            service,
            "--requested-by",
            requested_by,
        ]
    };
    let typo = erase("pasport-in-person", "privacy-office");
    let (code, output) = pipeline.run_with_stdin(&typo, ERASED);
    assert_eq!(code, 1, "{output}");
    assert!(
        output.contains("unknown service `pasport-in-person`"),
        "{output}"
    );
    let spaced = erase(SERVICE, "privacy office");
    let (code, output) = pipeline.run_with_stdin(&spaced, ERASED);
    assert_eq!(code, 2, "{output}");
    assert!(
        output.contains("`privacy office` is not a plain name"),
        "{output}"
    );
    assert_eq!(
        number(&pipeline, "SELECT count() FROM access_audit").await,
        0,
        "a refused erasure is not recorded"
    );

    // The reference read from standard input (kept out of the shell's history), with
    // `log_statements` on so ClickHouse's query log keeps every statement of the erasure.
    pipeline.edit_config(|config| config.clickhouse.log_statements = true);
    let (code, output) =
        pipeline.run_with_stdin(&erase(SERVICE, "privacy-office"), &format!("{ERASED}\n"));
    assert_eq!(code, 0, "{output}");
    let digest = hex::encode(Sha256::digest(ERASED.as_bytes()));
    assert!(
        output.contains(&format!("case sha256 {digest}")),
        "{output}"
    );
    assert!(
        !output.contains(ERASED),
        "the reference is never printed: {output}"
    );
    assert!(output.contains("milestones: 3 rows erased"), "{output}");
    assert!(
        output.contains("feedback_comments: 1 rows erased"),
        "{output}"
    );
    // No statement of the erasure names the reference: the mutations ClickHouse keeps, and
    // the query log, hold its digest only.
    let mutations = pipeline
        .query("SELECT command FROM system.mutations WHERE database = currentDatabase() FORMAT TSV")
        .await
        .unwrap();
    assert!(mutations.contains(&digest), "{mutations}");
    assert!(!mutations.contains(ERASED), "{mutations}");
    let logged = |needle: &str| {
        format!("SELECT count() FROM system.query_log WHERE position(query, '{needle}') > 0")
    };
    wait_until(
        "the erasure's statements in the query log",
        Duration::from_secs(60),
        || async { matches!(pipeline.query(&logged(&digest)).await, Ok(n) if n.trim() != "0") },
    )
    .await;
    assert_eq!(
        number(&pipeline, &logged(ERASED)).await,
        0,
        "the query log never holds the reference"
    );
    pipeline.edit_config(|config| config.clickhouse.log_statements = false);
    aggregate(&mut pipeline).await;

    // No table holds the reference or any of its events' ids; the other case is intact.
    let erased_ids: Vec<String> = erased.iter().map(Uuid::to_string).collect();
    let mut holding_kept = Vec::new();
    for table in ALL {
        let rows = pipeline
            .query(&format!("SELECT * FROM {} FORMAT TabSeparated", table.name))
            .await
            .unwrap();
        assert!(
            !rows.contains(ERASED),
            "`{}` still holds the case reference:\n{rows}",
            table.name
        );
        for id in &erased_ids {
            assert!(
                !rows.contains(id.as_str()),
                "`{}` still holds event {id}",
                table.name
            );
        }
        if rows.contains(KEPT) || kept.iter().any(|id| rows.contains(&id.to_string())) {
            holding_kept.push(table.name);
        }
    }
    for table in [
        "milestones",
        "feedback",
        "feedback_comments",
        "offered",
        "sla_cases",
        "event_versions",
        "change_log",
    ] {
        assert!(
            holding_kept.contains(&table),
            "the kept case left `{table}`: {holding_kept:?}"
        );
    }
    assert_eq!(
        figures(&pipeline).await,
        (1, 1, 1),
        "the erased case no longer counts in the rollups"
    );

    // The request is in the audit, under the reference's digest.
    let audit = pipeline
        .query("SELECT token_id, action, endpoint, filter, rows FROM access_audit FORMAT TSV")
        .await
        .unwrap();
    let audit: Vec<&str> = audit.lines().collect();
    assert_eq!(audit.len(), 1, "{audit:?}");
    let cells: Vec<&str> = audit[0].split('\t').collect();
    let filter = format!("case_ref_sha256={digest}&service_id={SERVICE}");
    assert_eq!(cells[..4], ["privacy-office", "erase", "cli", &filter]);
    assert!(cells[4].parse::<u64>().unwrap() >= 10, "{cells:?}");

    // Asked again, it finds nothing: still recorded (it was asked), with a warning and an
    // exit code of its own, so it is not mistaken for a done erasure.
    let (code, output) = pipeline.run_with_stdin(
        &[
            "erase",
            "--case-ref",
            ERASED,
            "--requested-by",
            "privacy-office",
        ],
        "",
    );
    assert_eq!(code, 3, "{output}");
    assert!(
        output.contains(&format!(
            "warning: nothing was erased: no row of case sha256 {digest} in any service is stored"
        )),
        "{output}"
    );
    assert_eq!(
        pipeline
            .query("SELECT filter, rows FROM access_audit WHERE rows = 0 FORMAT TSV")
            .await
            .unwrap()
            .trim(),
        format!("case_ref_sha256={digest}\t0")
    );
}

/// Raw rows inserted as the sink would write them, dated `at` (UTC).
async fn insert_response(pipeline: &Pipeline, at: &str, comment: bool) {
    let id = Uuid::new_v4();
    let sql = format!(
        "INSERT INTO feedback (event_id, service_id, channel, stage, case_ref, occurred_at, received_at, source, satisfaction, has_comment) \
         VALUES ('{id}', '{SERVICE}', 'in_person', '', '', '{at}', '{at}', 'e2e', 4, {c})",
        c = u8::from(comment)
    );
    pipeline.query(&sql).await.unwrap();
    if comment {
        let sql = format!(
            "INSERT INTO feedback_comments (event_id, service_id, channel, case_ref, occurred_at, received_at, comment) \
             VALUES ('{id}', '{SERVICE}', 'in_person', '', '{at}', '{at}', 'Old words')"
        );
        pipeline.query(&sql).await.unwrap();
    }
}

/// A milestone row as the sink would write it, at `at` (UTC).
async fn insert_milestone(pipeline: &Pipeline, case_ref: &str, milestone: &str, at: &str) {
    let sql = format!(
        "INSERT INTO milestones (event_id, service_id, case_ref, milestone, channel, region, outcome, occurred_at, received_at, source) \
         VALUES ('{}', '{SERVICE}', '{case_ref}', '{milestone}', 'in_person', '', '', '{at}', '{at}', 'e2e')",
        Uuid::new_v4()
    );
    pipeline.query(&sql).await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn retention_drops_expired_months_and_their_rollups_keep_their_figures() {
    require_shared_servers();
    let mut pipeline = Pipeline::new(Settings {
        min_responses: 1,
        ..Settings::default()
    });
    pipeline.migrate();
    // January 2019 is past 7 years; January 2024's comments are past 2 years, its ratings not.
    for _ in 0..3 {
        insert_response(&pipeline, "2019-01-15 12:00:00", false).await;
    }
    insert_response(&pipeline, "2024-01-10 12:00:00", true).await;
    // A case that starts in the last month retention drops and closes in the first it keeps.
    let kept_from = civicpulse_core::retention::kept_from(
        Utc::now(),
        civicpulse_core::config::RetentionConfig::default().raw_events_days,
    );
    let format = |t: chrono::DateTime<Utc>| t.format("%Y-%m-%d %H:%M:%S").to_string();
    let started = format(kept_from - chrono::Duration::days(10) + chrono::Duration::hours(15));
    let stopped = format(kept_from + chrono::Duration::days(4) + chrono::Duration::hours(15));
    insert_milestone(&pipeline, "SPAN-1", "complete", &started).await;
    insert_milestone(&pipeline, "SPAN-1", "dispatched", &stopped).await;
    // First kept long enough for the rollups to be computed while the rows are there.
    pipeline.edit_config(|config| {
        config.retention.raw_events_days = 4000;
        config.retention.event_versions_days = 4000;
        config.retention.comments_days = 4000;
        config.retention.access_audit_days = 4000;
    });
    aggregate(&mut pipeline).await;
    let january_2019 = format!(
        "SELECT sum(responses) FROM matrix_feedback_daily FINAL \
         WHERE service_id = '{SERVICE}' AND group_kind = 'all' AND day = '2019-01-15'"
    );
    assert_eq!(number(&pipeline, &january_2019).await, 3);
    let span = "SELECT status, elapsed_days, first_at FROM sla_cases FINAL WHERE case_ref = 'SPAN-1' FORMAT TSV";
    let evaluated = pipeline.query(span).await.unwrap();
    assert!(
        evaluated.starts_with("met\t") || evaluated.starts_with("breached\t"),
        "{evaluated}"
    );

    // Then the defaults: 7 years of ratings, 2 of comments.
    pipeline.edit_config(|config| config.retention = Default::default());
    let output = aggregate(&mut pipeline).await;
    assert!(
        output.contains("retention raw_events: 4 rows removed"),
        "{output}"
    );
    // The expired comment and what the themes model read in it.
    assert!(
        output.contains("retention comments: 2 rows removed"),
        "{output}"
    );
    assert!(
        output.contains("retention event_versions: 4 rows removed"),
        "{output}"
    );
    let parts = |table: &str, month: &str| {
        format!(
            "SELECT count() FROM system.parts WHERE database = currentDatabase() AND table = '{table}' \
             AND partition = '{month}' AND active"
        )
    };
    assert_eq!(
        number(&pipeline, &parts("feedback", "201901")).await,
        0,
        "the month is dropped"
    );
    assert_eq!(
        number(&pipeline, &parts("feedback_comments", "202401")).await,
        0
    );
    assert_eq!(
        number(
            &pipeline,
            "SELECT count() FROM feedback WHERE occurred_at < toDateTime('2024-02-01 00:00:00')"
        )
        .await,
        1,
        "January 2024's rating stays, without its comment"
    );
    assert_eq!(
        number(
            &pipeline,
            &format!(
                "SELECT count() FROM event_versions WHERE occurred_at < toDateTime('{}')",
                format(kept_from)
            )
        )
        .await,
        0,
        "versions leave with their raw rows"
    );
    assert_eq!(
        number(&pipeline, &january_2019).await,
        3,
        "the rollup of an expired month keeps its figures"
    );

    // A late response dated in the expired month: its day is not recomputed from what is
    // left, and the row itself leaves at the end of the run.
    insert_response(&pipeline, "2019-01-15 18:00:00", false).await;
    // And the spanning case's stop sent again: its start is gone, so it is not judged again
    // on its stop alone.
    insert_milestone(&pipeline, "SPAN-1", "dispatched", &stopped).await;
    let output = aggregate(&mut pipeline).await;
    assert!(
        output.contains("retention raw_events: 1 rows removed"),
        "{output}"
    );
    assert_eq!(number(&pipeline, &january_2019).await, 3);
    assert_eq!(
        pipeline.query(span).await.unwrap(),
        evaluated,
        "the stored evaluation stands"
    );
    // The oldest row left is the spanning case's stop, within 7 years: what the gauge shows.
    let oldest = output
        .lines()
        .find(|l| l.starts_with("retention raw_events:"))
        .unwrap();
    let days: f64 = oldest
        .split("oldest row ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .unwrap()
        .parse()
        .unwrap();
    let stop = kept_from + chrono::Duration::days(4) + chrono::Duration::hours(15);
    let expected = (Utc::now() - stop).num_seconds() as f64 / 86_400.0;
    assert!(
        (days - expected).abs() < 1.5,
        "{oldest} (expected about {expected})"
    );

    // Retention runs even when the figures fail: with the versions job's bookkeeping gone
    // the run fails, and a response dated in the expired month still leaves.
    insert_response(&pipeline, "2019-01-16 09:00:00", false).await;
    let expired =
        "SELECT count() FROM feedback WHERE occurred_at < toDateTime('2020-01-01 00:00:00')";
    assert_eq!(number(&pipeline, expired).await, 1);
    pipeline
        .query("RENAME TABLE supersede_runs TO supersede_runs_away")
        .await
        .unwrap();
    let mut failing = pipeline.spawn("aggregate");
    let succeeded = failing.wait_exit(Duration::from_secs(120)).await;
    let log = failing.log_text();
    pipeline
        .query("RENAME TABLE supersede_runs_away TO supersede_runs")
        .await
        .unwrap();
    assert!(
        !succeeded,
        "a run whose figures fail is a failed run: {log}"
    );
    assert!(log.contains("figures not computed"), "{log}");
    assert_eq!(
        number(&pipeline, expired).await,
        0,
        "the expired month left all the same: {log}"
    );
}
