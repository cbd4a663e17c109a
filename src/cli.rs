//! Command-line interface.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "civicpulse",
    version,
    about = "Service-quality monitoring and feedback for public services"
)]
pub struct Cli {
    /// Configuration file; `./civicpulse.toml` is used when present, else
    /// `./deploy/civicpulse.toml` (the example in a checkout). Every key can be
    /// overridden by CIVICPULSE_<SECTION>__<KEY> variables.
    #[arg(long, global = true, env = "CIVICPULSE_CONFIG")]
    pub config: Option<PathBuf>,
    /// Log as JSON lines instead of text.
    #[arg(long, global = true)]
    pub log_json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// HTTP gateway: POST /v1/events → Kafka.
    Gateway,
    /// Kafka → ClickHouse sink (run several for more throughput).
    Sink,
    /// Create the database and apply schema migrations.
    Migrate,
    /// Dashboard API for Grafana.
    DashboardApi,
    /// Aggregate every `aggregator.interval_secs` (SLA, matrix rollups, snapshots), with
    /// `/metrics` on `aggregator.metrics_listen`.
    Aggregator,
    /// Aggregate once and print what was done (`aggregator` and `run` do it on a schedule).
    Aggregate {
        /// Evaluate as of this RFC 3339 time instead of now, a point in time: milestones
        /// dated after it are left out, and open cases' elapsed days are taken then.
        #[arg(long, value_parser = rfc3339_time)]
        as_of: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// Run the report schedules once (`aggregator` and `run` do it on their interval) and
    /// print what was written.
    ReportSchedule {
        /// Take this RFC 3339 time as now (which reports are due).
        #[arg(long, value_parser = rfc3339_time)]
        as_of: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// Everything in one process: migrations, gateway, sink, aggregator and dashboard API.
    Run,
    /// Write a period's report: report.html, report.pdf (with Chromium) and its open data.
    Report(ReportArgs),
    /// Write open data in a government's published format (GC service-std, OMB A-11,
    /// GOV.UK KPIs).
    Export(ExportArgs),
    /// Send realistic simulated traffic through the gateway.
    Simulate(SimulateArgs),
    /// Print the JSON Schema of the event contracts.
    Schema,
    /// Print the SHA-256 of an API key or dashboard token, as the configuration stores it.
    HashKey {
        /// The key or token; `-` (or nothing) reads it from standard input, which keeps it
        /// out of the shell's history and the process list.
        key: Option<String>,
    },
    /// Erase every stored row of one case on request: its responses, comments,
    /// transactions, milestones, their versions, its SLA evaluations and change-log rows.
    /// The aggregator's next run recomputes the figures it counted in; the request is kept
    /// in the access audit under the reference's SHA-256. Prints the rows removed per table;
    /// exits with 3 (and a warning) when no row of the case was found.
    Erase(EraseArgs),
    /// Train and evaluate the themes model from labelled comments (a CSV file), and export
    /// analysts' corrections as such a file.
    #[command(subcommand)]
    Themes(ThemesCommand),
}

#[derive(Debug, Subcommand)]
pub enum ThemesCommand {
    /// Learn a model from every labelled comment and write it as JSON; prints its
    /// fingerprint and the training time.
    Train {
        #[command(flatten)]
        labels: LabelsArgs,
        /// Where the model is written.
        #[arg(long)]
        out: PathBuf,
    },
    /// Hold out a share of the comments (or the file's `split` column, or `--test FILE`),
    /// train on the rest, and print per-theme precision, recall, F1 and support for the seeds
    /// alone, the model and a TF-IDF + linear SVM baseline, with the training times.
    Evaluate {
        #[command(flatten)]
        labels: LabelsArgs,
        /// The share of comments held out for the test.
        #[arg(long, default_value_t = 0.2)]
        test_share: f64,
        /// Seeds the split and the training folds.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Test comments from this file instead (then `--labels` is all training).
        #[arg(long)]
        test: Option<PathBuf>,
        /// Write each test comment's predicted themes and every theme's score as CSV.
        #[arg(long)]
        predictions: Option<PathBuf>,
    },
    /// Export each corrected comment's latest correction (`POST
    /// /api/v1/feedback/comments/{event_id}/themes`) as labels in the format `train` and
    /// `evaluate` read: `id`, `text`, `service_id`, `sentiment` (empty where the analyst
    /// stated none) and one 0/1 column per theme of the catalog. Reads ClickHouse.
    Labels {
        /// Where the file is written.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct LabelsArgs {
    /// CSV of comments: a text column and one 0/1 column per theme (named by theme id);
    /// `lang`, `service_id`, `sentiment`, `id` and `split` columns are read if present.
    #[arg(long, alias = "train")]
    pub labels: PathBuf,
    /// The column holding the comment.
    #[arg(long, default_value = "text")]
    pub text_column: String,
    /// `catalog`: theme columns must be the catalog's themes (a typo is refused); `any`:
    /// any column is a theme, and the catalog's seeds serve the themes it knows.
    #[arg(long, default_value = "any", value_parser = ["any", "catalog"])]
    pub taxonomy: String,
}

#[derive(Debug, Args)]
pub struct EraseArgs {
    /// The case reference, as the case system sent it; `-` reads it from standard input
    /// (a file, or typed at the prompt), which keeps it out of the shell's history.
    #[arg(long)]
    pub case_ref: String,
    /// Only this service's case of that reference, a catalog service (default: the
    /// reference in every service, so another service's case of the same reference goes
    /// too).
    #[arg(long)]
    pub service: Option<String>,
    /// Who asked for the erasure (a person or an office), kept in the access audit as its
    /// `token_id`: 1 to 64 letters, digits, `.`, `_` or `-`, like a token's name.
    #[arg(long, value_parser = parse_requested_by)]
    pub requested_by: String,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// `2026-Q3`, `2026-10`, or local days `2026-10-01..2026-10-15` (end excluded).
    #[arg(long)]
    pub period: String,
    /// Only these services (repeat the option); default every catalog service.
    #[arg(long = "service")]
    pub services: Vec<String>,
    /// Only the services of this jurisdiction (e.g. `CA`, `CA-ON`).
    #[arg(long)]
    pub jurisdiction: Option<String>,
    /// The report's language; the open data are the same in both.
    #[arg(long, default_value = "en", value_parser = parse_language)]
    pub lang: civicpulse_core::config::Language,
    /// Folder the files are written to (created). If it holds this period's report
    /// already, changed figures are written as the next revision in `revisions/N/` with
    /// `changes.json`, and the same figures write nothing.
    #[arg(long)]
    pub out: std::path::PathBuf,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// `gc-service-std` (period `2025-2026`), `omb-a11` (period `FY2027-Q1`) or
    /// `govuk-kpis` (period `2026-10`, `2026-Q3` or `FROM..TO`).
    #[arg(long, value_parser = parse_export_format)]
    pub format: civicpulse_reports::exports::ExportFormat,
    #[arg(long)]
    pub period: String,
    /// Only these services (repeat the option); default every catalog service.
    #[arg(long = "service")]
    pub services: Vec<String>,
    /// The file to write (default: the format's file name in the current folder).
    #[arg(long)]
    pub out: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Events per second.
    #[arg(long, default_value_t = 200.0)]
    pub rate: f64,
    /// How long to send, e.g. `90s`, `10m`.
    #[arg(long, default_value = "60s", value_parser = parse_duration)]
    pub duration: std::time::Duration,
    /// Seed of the random traffic: the same seed sends the same events.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Gateway base URL; defaults to the configured gateway address.
    #[arg(long)]
    pub gateway_url: Option<String>,
    /// API key to send with.
    #[arg(
        long,
        env = "CIVICPULSE_SIMULATOR_KEY",
        default_value = "dev-simulator-key"
    )]
    pub api_key: String,
    /// Days of history the traffic covers, ending now.
    #[arg(long, default_value_t = 60)]
    pub history_days: i64,
    /// Service that gets the surge of applications.
    #[arg(long, default_value = "passport-in-person")]
    pub surge_service: String,
    /// First send this many history events as fast as the gateway takes them.
    #[arg(long, default_value_t = 0)]
    pub backfill: usize,
    /// Paced events are recent (the last day's) instead of spread over the history.
    #[arg(long)]
    pub live: bool,
    /// A website outage this many days ago (0: today, in the catalog's reporting zone): a
    /// burst of comments such as "site en panne" and "can't log in" from every service
    /// served on the web, an emerging issue for /api/v1/themes/emerging to find.
    #[arg(long)]
    pub outage_days_ago: Option<u32>,
    /// Where the history ends (RFC 3339), default now: the same seed and end replay the
    /// same days.
    #[arg(long)]
    pub until: Option<chrono::DateTime<chrono::Utc>>,
}

/// `90s`, `10m`, `2h` or plain seconds.
fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => text.split_at(i),
        None => (text, "s"),
    };
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration like 90s or 10m"))?;
    let seconds = match unit {
        "s" => number,
        "m" => number * 60,
        "h" => number * 3600,
        _ => return Err(format!("`{text}`: use s, m or h")),
    };
    Ok(std::time::Duration::from_secs(seconds))
}

/// A token's name, since the audit's `token_id` is filtered by that rule
/// (`GET /api/v1/audit?token_id=`): anything else could never be found again.
fn parse_requested_by(text: &str) -> Result<String, String> {
    if civicpulse_core::access::is_token_name(text) {
        Ok(text.to_string())
    } else {
        Err(format!(
            "`{text}` is not a plain name: 1 to 64 letters, digits, `.`, `_` or `-` (the audit's \
             token_id, which GET /api/v1/audit?token_id= looks up by that rule)"
        ))
    }
}

fn parse_language(text: &str) -> Result<civicpulse_core::config::Language, String> {
    text.parse()
        .map_err(|_| format!("`{text}`: the report languages are en and fr"))
}

fn parse_export_format(text: &str) -> Result<civicpulse_reports::exports::ExportFormat, String> {
    text.parse()
        .map_err(|_| format!("`{text}`: the formats are gc-service-std, omb-a11 and govuk-kpis"))
}

/// `--as-of` reads RFC 3339 exactly, as the event contracts do (chrono's `FromStr` also takes
/// spaces, `UTC` and `+0000`).
fn rfc3339_time(text: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    civicpulse_core::rfc3339::parse(text).map_err(|e| format!("`{text}`: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("90").unwrap().as_secs(), 90);
        assert_eq!(parse_duration("10m").unwrap().as_secs(), 600);
        assert_eq!(parse_duration("2h").unwrap().as_secs(), 7200);
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5d").is_err());
    }

    #[test]
    fn as_of_is_rfc3339_exactly() {
        use clap::Parser;
        let at = |time: &str| Cli::try_parse_from(["civicpulse", "aggregate", "--as-of", time]);
        assert!(at("2026-05-01T12:00:00Z").is_ok());
        for loose in [
            "2026-05-01 12:00:00 UTC",
            "2026-05-01T12:00:00+0000",
            " 2026-05-01T12:00:00Z",
        ] {
            assert!(at(loose).is_err(), "{loose}");
        }
    }
}
