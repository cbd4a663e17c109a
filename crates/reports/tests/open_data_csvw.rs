//! A report's open data as a data portal checks it: the files `open_data::write` puts
//! beside a report, validated by `csvwvalidate` (PyPI `csvw`, installed into `.dev/venv` by
//! `scripts/test`) against the W3C CSV on the Web description they ship with. The figures
//! are gathered over the in-memory store: September 2026 of a passport service whose
//! standard charges a fee and of Employment Insurance, whose standard charges none.

use std::path::PathBuf;
use std::process::Command;

use civicpulse_analytics::period::Period;
use civicpulse_core::config::MatrixConfig;
use civicpulse_core::Catalog;
use civicpulse_reports::freshness::Freshness;
use civicpulse_reports::{open_data, Figures};
use civicpulse_store::tables::matrix_feedback_daily::AnswerSums;
use civicpulse_store::tables::sla_cases::SummaryRow;
use civicpulse_testkit::memory::{MemoryStore, Tables};
use civicpulse_testkit::rows;

const PASSPORT: &str = "passport-in-person";
const INSURANCE: &str = "employment-insurance";

fn catalog() -> Catalog {
    Catalog::from_toml_str(include_str!("../../../catalog.toml")).expect("catalog")
}

/// Where `scripts/test` installs the validator: `CIVICPULSE_DEV_DIR`, else the
/// repository's `.dev`.
fn validator() -> PathBuf {
    let dev = std::env::var_os("CIVICPULSE_DEV_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.dev"),
        PathBuf::from,
    );
    dev.join("venv/bin/csvwvalidate")
}

/// `responses` satisfaction answers on 1 September 2026, `satisfied` of them 5, the rest 2.
fn answers(service: &str, responses: u64, satisfied: u64) -> AnswerSums {
    rows::satisfaction(service, 20_697, responses, satisfied)
}

/// `met` of `met + breached` cases of `policy` closed in the period, no refund owed.
fn standard(service: &str, policy: &str, met: u64, breached: u64) -> SummaryRow {
    SummaryRow {
        p50: 7.0,
        p90: 9.0,
        open: 3,
        at_risk: 1,
        ..rows::closed_summary(service, policy, met, breached)
    }
}

async fn september() -> Figures {
    let store = MemoryStore::new(Tables {
        answer_sums: vec![answers(PASSPORT, 40, 32), answers(INSURANCE, 25, 20)],
        summaries: vec![
            standard(PASSPORT, "processing", 20, 0),
            standard(INSURANCE, "decision", 30, 6),
        ],
        ..Tables::default()
    });
    Figures::gather(
        &store,
        &catalog(),
        &MatrixConfig::default(),
        &Period::parse("2026-09", catalog().fiscal_year_start()).expect("a month"),
        &[PASSPORT.to_string(), INSURANCE.to_string()],
        Freshness::default(),
    )
    .await
    .expect("figures")
}

/// The validator fails, never skips, when `scripts/test` has not installed it: a check
/// that silently does not run is no check.
#[tokio::test]
async fn a_reports_open_data_passes_the_csv_on_the_web_validator() {
    let validator = validator();
    assert!(
        validator.exists(),
        "csvwvalidate is not installed at {}: run the suite with scripts/test, which installs \
         it (PyPI csvw)",
        validator.display()
    );
    let dir = tempfile::tempdir().expect("a temporary directory");
    let written = open_data::write(&september().await, dir.path()).expect("written");
    let metadata = written
        .iter()
        .find(|p| p.ends_with("csv-metadata.json"))
        .expect("the CSVW description is written");
    // The fee-less standard is in the data: its `currency` is an empty cell.
    let sla = std::fs::read_to_string(dir.path().join("sla.csv")).expect("sla.csv");
    assert!(
        sla.lines()
            .any(|l| l.starts_with("employment-insurance,decision,36,30,6,")),
        "{sla}"
    );
    let output = Command::new(&validator)
        .arg("--verbose")
        .arg(metadata)
        .output()
        .expect("the validator runs");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "csvwvalidate refused the open data:\n{said}"
    );
    assert!(said.contains("OK"), "{said}");
}

/// Every header cell of a CSV file is one of its column's titles, as CSV on the Web
/// requires of a header row that the description's columns must match.
#[tokio::test]
async fn each_header_cell_is_among_its_columns_titles() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    open_data::write(&september().await, dir.path()).expect("written");
    let metadata: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("csv-metadata.json")).expect("metadata"),
    )
    .expect("JSON");
    for table in metadata["tables"].as_array().expect("tables") {
        let file = dir.path().join(table["url"].as_str().expect("url"));
        let text = std::fs::read_to_string(&file).expect("the table's file");
        let header: Vec<&str> = text.lines().next().expect("a header").split(',').collect();
        let columns = table["tableSchema"]["columns"].as_array().expect("columns");
        assert_eq!(header.len(), columns.len(), "{}", file.display());
        for (cell, column) in header.iter().zip(columns) {
            let titles: Vec<&str> = match &column["titles"] {
                serde_json::Value::String(title) => vec![title.as_str()],
                serde_json::Value::Array(titles) => {
                    titles.iter().filter_map(|t| t.as_str()).collect()
                }
                other => panic!("titles of {cell}: {other}"),
            };
            assert!(
                titles.contains(cell),
                "{}: header `{cell}` is not among {titles:?}",
                file.display()
            );
        }
    }
}
