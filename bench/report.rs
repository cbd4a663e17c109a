//! Report benchmark: the quarterly report (2026-Q3) over the matrix benchmark's quarter of
//! raw events (database `bench_matrix`, filled by `bench/matrix.sh`), measured in one run
//! against the reference of one matrix request for the same quarter (the code behind
//! `/api/v1/matrix`, without HTTP). Prints:
//! - the matrix request (reference);
//! - the report's figures (matrix, changes against the previous quarter and the same
//!   quarter a year before, weekly trends, SLA summary, interventions) and its HTML, in
//!   both languages, as a ratio to the reference (goal: ≤ 20×);
//! - the PDF print by Chromium, in seconds and as a ratio.
//!
//! Run with `bench/report.sh`.

#[path = "support/timing.rs"]
mod timing;

use timing::median_of;

use std::path::Path;
use std::time::{Duration, Instant};

use civicpulse_analytics::matrix::{self, GroupBy};
use civicpulse_analytics::period::Period;
use civicpulse_core::config::Language;
use civicpulse_core::{Catalog, Config};
use civicpulse_reports::{freshness::Freshness, html, pdf, Figures};
use civicpulse_store::{ClickHouseStore, Store};

const DATABASE: &str = "bench_matrix";

fn main() {
    tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(run());
}

async fn run() {
    let mut config = Config::default();
    config.clickhouse.database = DATABASE.into();
    let client = Store::connect(&config.clickhouse)
        .await
        .expect("ClickHouse")
        .client;
    let store = ClickHouseStore::connected(client.clone());
    let catalog = Catalog::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("catalog.toml"))
        .expect("catalog");
    let raw: u64 = client
        .query("SELECT (SELECT count() FROM feedback) + (SELECT count() FROM offered) + (SELECT count() FROM milestones)")
        .fetch_one()
        .await
        .expect("bench_matrix has the event tables: run bench/matrix.sh first");
    let rollups: u64 = client
        .query("SELECT count() FROM matrix_feedback_daily")
        .fetch_one()
        .await
        .expect("rollups");
    assert!(
        raw > 0 && rollups > 0,
        "bench_matrix holds no quarter yet: run bench/matrix.sh first (it fills and rolls it up)"
    );
    let quarter = Period::quarter(2026, 3).expect("a quarter");

    let matrix_request = median_of(5, || async {
        let started = Instant::now();
        let cells = matrix::compute(&store, &catalog, &config.matrix, &quarter, GroupBy::Service)
            .await
            .expect("matrix");
        assert!(!cells.is_empty());
        started.elapsed()
    })
    .await;

    let report = median_of(5, || async {
        let started = Instant::now();
        let figures = Figures::gather(
            &store,
            &catalog,
            &config.matrix,
            &quarter,
            &[],
            Freshness::default(),
        )
        .await
        .expect("figures");
        for lang in Language::ALL {
            html::render(&figures, lang).expect("HTML");
        }
        started.elapsed()
    })
    .await;

    let figures = Figures::gather(
        &store,
        &catalog,
        &config.matrix,
        &quarter,
        &[],
        Freshness::default(),
    )
    .await
    .expect("figures");
    let dir = std::env::temp_dir().join(format!("civicpulse-report-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let html_path = dir.join("report.html");
    let page = html::render(&figures, Language::En).expect("HTML");
    let html_bytes = page.len();
    std::fs::write(&html_path, page).expect("written");
    let chromium = pdf::find_chromium(None);
    let print = match &chromium {
        Ok(chromium) => Some(
            median_of(3, || async {
                let started = Instant::now();
                pdf::print(chromium, &html_path, &dir.join("report.pdf"))
                    .await
                    .expect("printed");
                started.elapsed()
            })
            .await,
        ),
        Err(error) => {
            eprintln!("{error}");
            None
        }
    };
    let _ = std::fs::remove_dir_all(&dir);

    let seconds = |d: Duration| d.as_secs_f64();
    println!(
        "Report benchmark: 2026-Q3 over {raw} raw events in {DATABASE}, {} services",
        catalog.services.len()
    );
    println!(
        "  reference: one matrix request (2026-Q3):  {:>8.3} s",
        seconds(matrix_request)
    );
    println!(
        "  report figures + HTML, en and fr:         {:>8.3} s  = {:.2} × the matrix request (goal ≤ 20×; {} kB of HTML each)",
        seconds(report),
        seconds(report) / seconds(matrix_request),
        html_bytes / 1024
    );
    if let Some(print) = print {
        println!(
            "  PDF print by Chromium (en):               {:>8.3} s  = {:.2} × the matrix request",
            seconds(print),
            seconds(print) / seconds(matrix_request)
        );
    }
}
