//! Success paths of the SLA and feedback routes, in process over hand-made rows of the
//! evaluated cases: what a service manager reads in the JSON and the CSV. (The exceptions
//! routes are in `exceptions_in_force.rs`.)

mod support;

use std::collections::BTreeMap;

use civicpulse_store::tables::feedback_comments::CommentListed;
use civicpulse_store::tables::sla_cases::{Completion, QueuedRow, RemissionRow};
use civicpulse_testkit::rows::closed_summary;
use serde_json::Value;
use support::*;

#[tokio::test]
async fn cases_page_through_with_a_cursor_when_a_page_is_full() {
    let mut late = case("P-2", "breached", "2026-09-02T14:00:00Z");
    late.late_days = 3;
    late.refund_percent = 25.0;
    late.refund_amount = 40.0;
    late.remission = "owed".into();
    let app = app(Tables {
        cases: vec![
            case("P-1", "met", "2026-09-01T14:00:00Z"),
            late,
            case("P-3", "open", "2026-09-03T14:00:00Z"),
        ],
        ..Tables::default()
    });

    // A page of two out of three: full, so the answer says where the next one starts,
    // after the last case shown.
    let page = get_as(
        &app,
        "/api/v1/sla/cases?service_id=passport-in-person&limit=2",
        None,
    )
    .await;
    let cases = page.json();
    let refs: Vec<&str> = cases
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["case_ref"].as_str().unwrap())
        .collect();
    assert_eq!(refs, ["P-1", "P-2"]);
    let cursor = page
        .header("x-next-cursor")
        .expect("a full page has a cursor");
    let key = String::from_utf8(hex::decode(cursor).unwrap()).unwrap();
    assert_eq!(key, "passport-in-person\nprocessing\nP-2");
    let late = &cases[1];
    assert_eq!(late["status"], "breached");
    assert_eq!(late["started_at"], "2026-09-02T14:00:00Z");
    assert_eq!(late["stopped_at"], Value::Null);
    assert_eq!(late["late_days"], 3);
    // The unit-neutral names carry the same figures, in `unit`; the old ones stay (deprecated).
    assert_eq!(late["late"], 3);
    assert_eq!(late["elapsed"], late["elapsed_business_days"]);
    assert_eq!(late["paused"], late["paused_business_days"]);
    assert_eq!(late["unit"], "business_days");
    close(&late["refund_amount"], 40.0);
    assert_eq!(late["remission"], "owed");

    // All three fit in a page of ten: no cursor. Filtered by status, as CSV.
    let all = get_as(&app, "/api/v1/sla/cases?limit=10", None).await;
    assert_eq!(all.json().as_array().unwrap().len(), 3);
    assert_eq!(all.header("x-next-cursor"), None);
    let csv = get_csv(&app, "/api/v1/sla/cases?status=breached").await;
    assert_eq!(csv.lines().count(), 2, "a header and the late case: {csv}");
    assert!(csv
        .lines()
        .next()
        .unwrap()
        .starts_with("case_ref,service_id,policy,"));
    assert!(
        csv.contains("P-2,passport-in-person,processing,2026-09-02T14:00:00Z,"),
        "{csv}"
    );
}

#[tokio::test]
async fn the_summary_gives_compliance_budget_and_refunds_per_standard() {
    // 20 closed, 19 met → 95.0 % against a 90 % target: 10 % of 20 = 2 breaches allowed,
    // 1 spent → half the error budget left. One refund of $40.00 owed.
    let mut row = closed_summary(PASSPORT, "processing", 19, 1);
    row.refunds_owed = 1;
    // Summed in ten-thousandths of the currency unit: $40.00.
    row.refunds_owed_ten_thousandths = 400_000;
    row.open = 7;
    let app = app(Tables {
        summaries: vec![row],
        ..Tables::default()
    });
    let rows = get_json(&app, "/api/v1/sla/summary?from=2026-09-01&to=2026-10-01").await;
    let passport = row_of(&rows, PASSPORT);
    assert_eq!(passport["policy"], "processing");
    assert_eq!(
        (passport["closed"].as_u64(), passport["met"].as_u64()),
        (Some(20), Some(19))
    );
    close(&passport["compliance_ratio"], 0.95);
    close(&passport["target_ratio"], 0.9);
    close(&passport["error_budget_remaining"], 0.5);
    close(&passport["refunds_owed_amount"], 40.0);
    assert_eq!(passport["currency"], "CAD");
    assert_eq!(passport["open"], 7);
    // The elapsed percentiles say what they count.
    assert_eq!(passport["unit"], "business_days");
    // Burn rate over 30 days: 1 / 20 = 5 % breached where 10 % is allowed → 0.5.
    close(&passport["burn_rate_30d"], 0.5);

    let csv = get_csv(&app, "/api/v1/sla/summary?from=2026-09-01&to=2026-10-01").await;
    assert!(
        csv.contains("passport-in-person,processing,20,19,1,0.95,0.9,"),
        "{csv}"
    );
}

#[tokio::test]
async fn a_standard_with_fewer_closed_cases_than_k_shows_only_its_counts() {
    // 6 closed, 3 met: under the default threshold of 10, as the matrix withholds them.
    let mut row = closed_summary(PASSPORT, "processing", 3, 3);
    row.refunds_owed = 3;
    row.refunds_owed_ten_thousandths = 1_200_000;
    row.open = 25;
    row.at_risk = 4;
    let app = app(Tables {
        summaries: vec![row],
        ..Tables::default()
    });
    let rows = get_json(&app, "/api/v1/sla/summary?from=2026-09-01&to=2026-10-01").await;
    let passport = row_of(&rows, PASSPORT);
    assert_eq!(
        (passport["closed"].as_u64(), passport["open"].as_u64()),
        (Some(6), Some(25))
    );
    for withheld in [
        "met",
        "breached",
        "compliance_ratio",
        "p90_elapsed_days",
        "refunds_owed",
        "refunds_owed_amount",
        "refunds_owed_minor",
        "error_budget_remaining",
    ] {
        assert_eq!(passport[withheld], Value::Null, "{withheld}: {passport}");
    }
    // 25 open cases are enough to show how many are at risk.
    assert_eq!(passport["at_risk"], 4);
    assert_eq!(passport["status"], "insufficient_data");
    assert_eq!(
        passport["note"],
        "too few closed cases to show: 6 (at least 10 needed)"
    );
    let csv = get_csv(&app, "/api/v1/sla/summary?from=2026-09-01&to=2026-10-01").await;
    assert!(
        csv.contains("passport-in-person,processing,6,,,,0.9,,,25,4,"),
        "{csv}"
    );
}

fn row_of<'a>(rows: &'a Value, service: &str) -> &'a Value {
    row(rows, &[("service_id", service)])
}

fn remission(case_ref: &str, percent: f64, amount: f64, status: &str) -> RemissionRow {
    RemissionRow {
        service_id: PASSPORT.into(),
        policy: "processing".into(),
        case_ref: case_ref.into(),
        service_option: "regular".into(),
        currency: "CAD".into(),
        fee: 160.0,
        refund_tier: if percent > 25.0 { 2 } else { 1 },
        refund_percent: percent,
        refund_amount: amount,
        late_days: 4,
        remission: status.into(),
        fiscal_year: 2026,
        payment_due: Some(date("2027-07-01")),
        stopped_at: Some(time("2026-09-15T15:00:00Z")),
        exceptions: String::new(),
    }
}

#[tokio::test]
async fn remissions_total_per_fiscal_year_and_list_each_case() {
    // Three late regular passports at a $160 fee: two owed 25 % ($40 each), one paid 50 %
    // ($80). Totals: 3 cases, $160; owed 2 for $80; paid 1 for $80.
    let app = app(Tables {
        remissions: vec![
            remission("R-1", 25.0, 40.0, "owed"),
            remission("R-2", 25.0, 40.0, "owed"),
            remission("R-3", 50.0, 80.0, "paid"),
        ],
        ..Tables::default()
    });
    let totals = get_json(&app, "/api/v1/sla/remissions?fiscal_year=2026").await;
    assert_eq!(totals.as_array().unwrap().len(), 1, "{totals}");
    let total = &totals[0];
    assert_eq!(total["fiscal_year_label"], "2026-2027");
    assert_eq!(total["payment_due"], "2027-07-01");
    assert_eq!(total["service_option"], "regular");
    close(&total["fee"], 160.0);
    assert_eq!(total["cases"], 3);
    close(&total["amount"], 160.0);
    assert_eq!(total["owed"], 2);
    close(&total["owed_amount"], 80.0);
    assert_eq!(total["paid"], 1);
    close(&total["paid_amount"], 80.0);
    assert_eq!(total["cancelled"], 0);

    let cases = get_json(&app, "/api/v1/sla/remissions?view=cases").await;
    let paid = row(&cases, &[("case_ref", "R-3")]);
    assert_eq!(paid["status"], "paid");
    close(&paid["refund_percent"], 50.0);
    close(&paid["amount"], 80.0);
    assert_eq!(paid["stopped_at"], "2026-09-15T15:00:00Z");
    // `late` says its unit: the case's option's, read from the catalog.
    assert_eq!(paid["unit"], "business_days");
    let csv = get_csv(&app, "/api/v1/sla/remissions?view=cases").await;
    assert_eq!(csv.lines().count(), 4, "{csv}");
}

#[tokio::test]
async fn the_forecast_measures_throughput_and_counts_the_queue() {
    // As of Friday 30 October 2026, noon in Toronto: the 10 business days before are
    // 16–29 October (no holiday). 15 completions on 19–23 October → 1.5 a business day.
    // Open: two regular cases due 20 November, one due 20 October (already breached).
    let as_of = "2026-10-30T16:00:00Z";
    let key = || (PASSPORT.to_string(), "processing".to_string());
    let completions: Vec<Completion> = ["19", "20", "21", "22", "23"]
        .iter()
        .flat_map(|d| {
            (0..3).map(move |_| Completion {
                service_option: "regular".into(),
                stopped_at: time(&format!("2026-10-{d}T16:00:00Z")),
            })
        })
        .collect();
    let queued = |started: &str, due: &str| QueuedRow {
        service_option: "regular".into(),
        started_at: time(started),
        due_date: date(due),
        due_at: None,
        status: "open".into(),
    };
    let app = app(Tables {
        completions: BTreeMap::from([(key(), completions)]),
        queued: BTreeMap::from([(
            key(),
            vec![
                queued("2026-10-28T14:00:00Z", "2026-11-20"),
                queued("2026-10-29T14:00:00Z", "2026-11-20"),
                queued("2026-10-02T14:00:00Z", "2026-10-20"),
            ],
        )]),
        ..Tables::default()
    });
    let rows = get_json(
        &app,
        &format!("/api/v1/sla/forecast?service_id=passport-in-person&as_of={as_of}"),
    )
    .await;
    let regular = row(&rows, &[("service_option", "regular")]);
    assert_eq!(regular["as_of"], as_of);
    assert_eq!(regular["window_business_days"], 10);
    close(&regular["throughput"], 1.5);
    assert_eq!(regular["open"], 3);
    assert_eq!(regular["already_breached"], 1);
    assert_eq!(regular["currency"], "CAD");
    // The express option has no case: zeros, not missing.
    let express = row(&rows, &[("service_option", "express")]);
    assert_eq!(express["open"], 0);
    close(&express["throughput"], 0.0);
}

#[tokio::test]
async fn comments_are_listed_newest_first_with_the_channel_named() {
    let comment = |at: &str, channel: &str, text: &str| CommentListed {
        occurred_at: epoch(at),
        service_id: BY_MAIL.into(),
        channel: channel.into(),
        comment: text.into(),
        event_id: uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, text.as_bytes()),
        ..CommentListed::default()
    };
    let app = app(Tables {
        comments: vec![
            comment("2026-09-03T12:00:00Z", "mail", "The form was clear."),
            comment("2026-09-05T12:00:00Z", "", "Still waiting after six weeks."),
            comment("2026-08-20T12:00:00Z", "mail", "Before the window."),
        ],
        ..Tables::default()
    });
    let rows = get_json(
        &app,
        "/api/v1/feedback/comments?service_id=passport-by-mail&from=2026-09-01&to=2026-10-01",
    )
    .await;
    let shown: Vec<(&str, &str, &str)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["occurred_at"].as_str().unwrap(),
                r["channel"].as_str().unwrap(),
                r["comment"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            (
                "2026-09-05T12:00:00Z",
                "not_declared",
                "Still waiting after six weeks."
            ),
            ("2026-09-03T12:00:00Z", "mail", "The form was clear."),
        ]
    );
    let csv = get_csv(
        &app,
        "/api/v1/feedback/comments?service_id=passport-by-mail&from=2026-09-01&to=2026-10-01&limit=1",
    )
    .await;
    // The first columns as they always were; the reading after them (none here: unread).
    let id = uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_OID,
        b"Still waiting after six weeks.",
    );
    assert_eq!(
        csv,
        format!(
            "occurred_at,service_id,channel,comment,event_id,language,themes,theme_scores,\
             sentiment,sentiment_score,corrected,model,evidence\n\
             2026-09-05T12:00:00Z,passport-by-mail,not_declared,Still waiting after six weeks.,\
             {id},,,,,,false,,[]\n"
        )
    );
}
