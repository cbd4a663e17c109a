//! The government formats as their portals read them: the bytes `exports::export_at`
//! writes over the in-memory store, parsed as CSV or JSON, for the example catalog's
//! services. Each test states the rows it puts in the store and the cells a portal must
//! find.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use civicpulse_core::config::MatrixConfig;
use civicpulse_core::Catalog;
use civicpulse_reports::exports::{export_at, Export, ExportFormat};
use civicpulse_store::tables::feedback::AnswerCounts;
use civicpulse_store::tables::matrix_activity_daily::ActivitySums;
use civicpulse_store::tables::offered::OfferVolumes;
use civicpulse_store::tables::sla_cases::{QueuedRow, SummaryRow};
use civicpulse_testkit::memory::{MemoryStore, Tables};
use civicpulse_testkit::rows;

const PASSPORT: &str = "passport-in-person";
const INSURANCE: &str = "employment-insurance";
/// 1 September 2026, in days since 1970-01-01 (the rollups' bucket).
const SEPTEMBER_1: u16 = 20_697;

fn catalog() -> Catalog {
    Catalog::from_toml_str(include_str!("../../../catalog.toml")).expect("catalog")
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().expect("an RFC 3339 instant")
}

async fn export(
    tables: Tables,
    format: ExportFormat,
    period: &str,
    services: &[&str],
    now: &str,
) -> Export {
    let services: Vec<String> = services.iter().map(|s| s.to_string()).collect();
    export_at(
        &MemoryStore::new(tables),
        &catalog(),
        &MatrixConfig::default(),
        format,
        period,
        &services,
        at(now),
    )
    .await
    .expect("exported")
}

/// A CSV's rows as (column, cell) maps, after an optional byte-order mark.
fn records(body: &[u8]) -> Vec<BTreeMap<String, String>> {
    let text = String::from_utf8(body.to_vec()).expect("UTF-8");
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().expect("a header").clone();
    reader
        .records()
        .map(|r| {
            header
                .iter()
                .map(String::from)
                .zip(r.expect("a record").iter().map(String::from))
                .collect()
        })
        .collect()
}

fn summary(service: &str, policy: &str, met: u64, closed: u64) -> SummaryRow {
    SummaryRow {
        closed_30d: 0,
        breached_30d: 0,
        ..rows::closed_summary(service, policy, met, closed - met)
    }
}

/// One case open since `started`.
fn open_case(started: &str) -> QueuedRow {
    QueuedRow {
        service_option: String::new(),
        started_at: at(started),
        due_date: at(started).date_naive() + chrono::Days::new(30),
        due_at: None,
        status: "running".into(),
    }
}

fn gc_row<'a>(
    rows: &'a [BTreeMap<String, String>],
    inventory_id: &str,
) -> &'a BTreeMap<String, String> {
    rows.iter()
        .find(|r| r["service_id"] == inventory_id)
        .unwrap_or_else(|| panic!("no row for {inventory_id}: {rows:?}"))
}

/// A year the pipeline holds nothing on is blank ("no information available"); a year in
/// which cases ran but none closed is 0 of 0 ("no final output issued").
#[tokio::test]
async fn gc_volumes_are_blank_without_information_and_zero_without_outputs() {
    let empty = export(
        Tables::default(),
        ExportFormat::GcServiceStd,
        "2025-2026",
        &[PASSPORT, INSURANCE],
        "2026-12-03T12:00:00Z",
    )
    .await;
    let rows = records(&empty.body);
    assert_eq!(rows.len(), 2, "every published standard has its row");
    for row in &rows {
        assert_eq!(row["fiscal_yr"], "2025-2026");
        assert_eq!(row["volume_meeting_target"], "", "{row:?}");
        assert_eq!(row["total_volume"], "", "{row:?}");
        assert_eq!(row["performance"], "");
        assert_eq!(row["target_met"], "NA");
        assert_eq!(row["comments_en"], "", "a year over is not flagged");
    }

    // 2026-2027: nothing of the passport standard closed yet but a case is open, and
    // Employment Insurance decided 30 of 36 within its standard (target 0.8).
    let running = Tables {
        summaries: vec![
            summary(PASSPORT, "processing", 0, 0),
            summary(INSURANCE, "decision", 30, 36),
        ],
        queued: BTreeMap::from([(
            (PASSPORT.to_string(), "processing".to_string()),
            vec![open_case("2026-11-20T15:00:00Z")],
        )]),
        ..Tables::default()
    };
    let current = export(
        running,
        ExportFormat::GcServiceStd,
        "2026-2027",
        &[PASSPORT, INSURANCE],
        "2026-12-03T12:00:00Z",
    )
    .await;
    let rows = records(&current.body);
    let passport = gc_row(&rows, "SRV0101");
    assert_eq!(
        (
            &*passport["volume_meeting_target"],
            &*passport["total_volume"]
        ),
        ("0", "0")
    );
    assert_eq!(
        (&*passport["performance"], &*passport["target_met"]),
        ("", "NA")
    );
    let insurance = gc_row(&rows, "SRV0202");
    assert_eq!(
        (
            &*insurance["volume_meeting_target"],
            &*insurance["total_volume"],
            &*insurance["performance"],
            &*insurance["target_met"]
        ),
        ("30", "36", "0.8333", "Y")
    );
    // Served on the web, in the app and by phone: one `OTH` row that says so.
    assert_eq!(insurance["channel"], "OTH");
    assert_eq!(insurance["channel_comments_en"], "Online, Telephone");
    assert_eq!(insurance["channel_comments_fr"], "En ligne, Téléphone");
    // The year runs to March 2027: both languages say the figures are to date.
    for row in [passport, insurance] {
        assert_eq!(
            row["comments_en"],
            "Fiscal year 2026-2027 in progress: figures as of 2026-12-03."
        );
        assert_eq!(
            row["comments_fr"],
            "Exercice 2026-2027 en cours : chiffres au 2026-12-03."
        );
    }
}

fn offers(stage: &str, channel: &str, transactions: u64, offered: u64) -> OfferVolumes {
    OfferVolumes {
        stage: stage.into(),
        channel: channel.into(),
        transactions,
        surveys_offered: offered,
    }
}

fn answers(stage: &str, channel: &str, satisfaction: [u64; 5]) -> AnswerCounts {
    let mut points = vec![0; 35];
    points[..5].copy_from_slice(&satisfaction);
    AnswerCounts {
        stage: stage.into(),
        channel: channel.into(),
        responses: satisfaction.iter().sum(),
        points,
    }
}

/// The quarter: the counter's offers carry no stage and its answers the stage
/// `outcome`, and two page-feedback answers name no channel. The portal reads one
/// in-person row whose 40 respondents answered the survey 60 of its 120 customers were
/// offered, under the collection's channel code.
#[tokio::test]
async fn a11_rows_join_offers_and_answers_of_the_same_channel() {
    let tables = Tables {
        offer_volumes: BTreeMap::from([(
            PASSPORT.to_string(),
            vec![offers("", "in_person", 120, 60)],
        )]),
        answer_counts: BTreeMap::from([(
            PASSPORT.to_string(),
            vec![
                answers("outcome", "in_person", [1, 2, 3, 10, 24]),
                answers("", "", [0, 0, 0, 0, 2]),
            ],
        )]),
        ..Tables::default()
    };
    let export = export(
        tables,
        ExportFormat::OmbA11,
        "FY2027-Q1",
        &[PASSPORT],
        "2026-12-03T12:00:00Z",
    )
    .await;
    let rows = records(&export.body);
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = &rows[0];
    assert_eq!(
        [
            &*row["transaction_point"],
            &*row["channel"],
            &*row["volume_of_customers"],
            &*row["volume_of_customers_provided_survey_opportunity"],
            &*row["volume_of_respondents"],
        ],
        ["unspecified", "in_person", "120", "60", "40"]
    );
    let q1: Vec<&str> = (1..=5).map(|p| row[&format!("q1_{p}")].as_str()).collect();
    assert_eq!(q1, ["1", "2", "3", "10", "24"]);
    assert!(
        export
            .left_out
            .iter()
            .any(|note| note.contains("2 responses name no channel")),
        "{:?}",
        export.left_out
    );
}

/// `transactions, surveys offered, digital, received, decided, error or rework` on
/// 1 September 2026.
fn activity(
    service: &str,
    transactions: u64,
    digital: u64,
    received: u64,
    decided: u64,
) -> ActivitySums {
    ActivitySums {
        service_id: service.into(),
        bucket: SEPTEMBER_1,
        group_value: String::new(),
        sums: vec![transactions, 0, digital, received, decided, 0],
    }
}

/// Employment Insurance decided 62 claims in September against 50 received (a backlog
/// cleared): the matrix has no completion rate, and the record none either, where the
/// passport's 36 of 40 is 0.9. The record carries the Performance Platform's names and
/// its period stamps in the service's zone.
#[tokio::test]
async fn govuk_records_carry_no_completion_rate_above_one() {
    let tables = Tables {
        activity_sums: vec![
            activity(PASSPORT, 200, 0, 40, 36),
            activity(INSURANCE, 300, 240, 50, 62),
        ],
        ..Tables::default()
    };
    let export = export(
        tables,
        ExportFormat::GovukKpis,
        "2026-09",
        &[PASSPORT, INSURANCE],
        "2026-12-03T12:00:00Z",
    )
    .await;
    let text = String::from_utf8(export.body).expect("UTF-8");
    let records: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let record = |service: &str| {
        records
            .as_array()
            .expect("an array")
            .iter()
            .find(|r| r["service_id"] == service)
            .unwrap_or_else(|| panic!("no record for {service}: {text}"))
            .clone()
    };
    let insurance = record(INSURANCE);
    assert_eq!(
        insurance["completion_rate"],
        serde_json::Value::Null,
        "{text}"
    );
    assert_eq!(record(PASSPORT)["completion_rate"], 0.9, "{text}");
    assert_eq!(insurance["_timestamp"], "2026-09-01T00:00:00-04:00");
    assert_eq!(insurance["end_at"], "2026-10-01T00:00:00-04:00");
    assert_eq!(insurance["period"], "month");
    assert_eq!(
        insurance["_id"],
        "2026-09-01_2026-10-01_employment-insurance"
    );
    assert_eq!(insurance["number_of_digital_transactions"], 240);
    assert_eq!(insurance["digital_takeup"], 0.8);
    // The Platform's names, in the written order; none of the old ones.
    let first = text.split('}').next().expect("a record");
    let fields: Vec<&str> = first
        .lines()
        .filter_map(|l| l.trim().strip_prefix('"')?.split('"').next())
        .collect();
    assert_eq!(
        fields,
        [
            "_id",
            "_timestamp",
            "end_at",
            "period",
            "service_id",
            "number_of_transactions",
            "number_of_digital_transactions",
            "digital_takeup",
            "completion_rate",
            "rating_1",
            "rating_2",
            "rating_3",
            "rating_4",
            "rating_5",
            "num_responses",
            "score",
            "total_cost",
            "cost_per_transaction",
        ]
    );
}

/// A period the Platform does not group by is refused, naming the ones it does.
#[tokio::test]
async fn govuk_refuses_a_period_the_platform_has_no_name_for() {
    let error = export_at(
        &MemoryStore::new(Tables::default()),
        &catalog(),
        &MatrixConfig::default(),
        ExportFormat::GovukKpis,
        "2026-09-01..2026-09-20",
        &[],
        at("2026-12-03T12:00:00Z"),
    )
    .await
    .expect_err("refused")
    .to_string();
    assert!(error.contains("Monday-to-Sunday week"), "{error}");
}
