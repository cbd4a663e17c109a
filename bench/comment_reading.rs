//! Comment-reading benchmark: the aggregator's themes step over BENCH_COMMENTS (default 1M)
//! comments generated inside ClickHouse (database `bench_themes`, kept between runs;
//! BENCH_REGENERATE=1 refills it). Prints, from one run:
//! - the reference: every comment read out of ClickHouse (the step's own columns, FINAL),
//!   streamed into the process;
//! - the text model alone: the same comments read for themes and sentiment in memory;
//! - the whole step (`aggregator::themes::read_unread` until nothing is left: query the
//!   unread, read, insert the readings), as a ratio to the reference;
//! - the process's peak resident memory.
//!
//! Run with `bench/comment_reading.sh` (starts ClickHouse, builds in release).

use std::path::Path;
use std::time::{Duration, Instant};

use civicpulse_aggregator::themes::read_unread;
use civicpulse_analytics::themes::Model;
use civicpulse_core::{Catalog, Config};
use civicpulse_store::tables::comment_readings::Unread;
use civicpulse_store::Store;
use clickhouse::Client;

const DATABASE: &str = "bench_themes";

fn main() {
    tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(run());
}

async fn run() {
    let comments: u64 = std::env::var("BENCH_COMMENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let mut config = Config::default();
    config.clickhouse.database = DATABASE.into();
    civicpulse_store::migrate::run(&config.clickhouse)
        .await
        .expect("migrations");
    let client = Store::connect(&config.clickhouse)
        .await
        .expect("ClickHouse")
        .client;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let catalog = Catalog::load(&root.join("catalog.toml")).expect("catalog");

    let stored: u64 = client
        .query("SELECT count() FROM feedback_comments")
        .fetch_one()
        .await
        .expect("count");
    if stored < comments || std::env::var("BENCH_REGENERATE").is_ok() {
        generate(
            &client,
            &catalog,
            &root.join("crates/analytics/tests/data/comments_labelled.csv"),
            comments,
        )
        .await;
    } else {
        eprintln!("reusing {stored} comments in {DATABASE} (BENCH_REGENERATE=1 to refill)");
    }
    execute(&client, "OPTIMIZE TABLE feedback_comments FINAL").await;

    // The reference: the comments out of ClickHouse, as the step reads them.
    let started = Instant::now();
    let mut cursor = client
        .query("SELECT event_id, service_id, case_ref, occurred_at, comment FROM feedback_comments FINAL")
        .fetch::<Unread>()
        .expect("cursor");
    let mut texts: Vec<(String, String)> = Vec::new();
    while let Some(row) = cursor.next().await.expect("row") {
        texts.push((row.comment, row.service_id));
    }
    let reference = started.elapsed();
    let read_out = texts.len();

    let model = Model::from_catalog(&catalog);
    let started = Instant::now();
    let mut tagged = 0usize;
    for (text, service) in &texts {
        tagged += model.read(text, None, Some(service)).tags.len();
    }
    let model_alone = started.elapsed();
    drop(texts);

    execute(&client, "TRUNCATE TABLE comment_readings").await;
    let started = Instant::now();
    let mut read = 0usize;
    let mut runs = 0usize;
    loop {
        let n = read_unread(&client, &model).await.expect("read_unread");
        runs += 1;
        read += n;
        if n == 0 {
            break;
        }
    }
    let step = started.elapsed();

    let ratio = |d: Duration| d.as_secs_f64() / reference.as_secs_f64();
    println!("comments: {read_out} (themes tagged: {tagged})");
    println!(
        "reference, read out of ClickHouse: {:.2} s",
        reference.as_secs_f64()
    );
    println!(
        "text model alone: {:.2} s ({:.1}× the reference, {:.0} comments/s)",
        model_alone.as_secs_f64(),
        ratio(model_alone),
        read_out as f64 / model_alone.as_secs_f64()
    );
    println!(
        "aggregator step, {read} comments in {runs} runs: {:.2} s ({:.1}× the reference, {:.0} comments/s)",
        step.as_secs_f64(),
        ratio(step),
        read as f64 / step.as_secs_f64()
    );
    println!("peak resident memory: {} MB", peak_rss_mb());
}

/// `comments` comments over the catalog's services and a quarter, their texts cycled from
/// the labelled set (so the reading does the work real comments ask of it).
async fn generate(client: &Client, catalog: &Catalog, labelled: &Path, comments: u64) {
    execute(client, "TRUNCATE TABLE feedback_comments").await;
    let mut reader = csv::Reader::from_path(labelled).expect("labelled comments");
    let texts: Vec<String> = reader
        .records()
        .map(|r| r.expect("a row")[0].to_string())
        .collect();
    // A literal `?` is written `??` to the client, which takes a lone one for a bind.
    let quote = |s: &str| {
        format!(
            "'{}'",
            s.replace('\\', "\\\\")
                .replace('\'', "\\'")
                .replace('?', "??")
        )
    };
    let count = texts.len();
    let texts = texts.iter().map(|t| quote(t)).collect::<Vec<_>>().join(",");
    let services = catalog
        .services
        .iter()
        .map(|s| quote(&s.id))
        .collect::<Vec<_>>()
        .join(",");
    let chunk = 200_000u64;
    let mut from = 0;
    while from < comments {
        let n = chunk.min(comments - from);
        execute(
            client,
            &format!(
                "INSERT INTO feedback_comments (event_id, service_id, channel, case_ref, occurred_at, received_at, comment) \
                 SELECT toUUID(concat('00000000-0000-4000-8000-', substring(concat('000000000000', hex(number)), length(hex(number)) + 1, 12))), \
                        [{services}][number % {s} + 1], 'online', concat('B-', toString(number)), \
                        toDateTime('2026-07-01 00:00:00') + number % (92 * 86400), now(), \
                        [{texts}][number % {t} + 1] \
                 FROM numbers({from}, {n})",
                s = catalog.services.len(),
                t = count,
            ),
        )
        .await;
        from += n;
    }
    eprintln!("generated {comments} comments");
}

async fn execute(client: &Client, sql: &str) {
    client
        .query(sql)
        .execute()
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", &sql[..sql.len().min(200)]));
}

fn peak_rss_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}
