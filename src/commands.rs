//! What each subcommand does: load the configuration and catalog, then start components.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use civicpulse_core::config::hash_secret;
use civicpulse_core::{Catalog, Config};
use civicpulse_dashboard_api::ApiState;
use civicpulse_ingest::{gateway, sink};

use crate::shutdown;
use civicpulse_simulator as simulate;
use civicpulse_simulator::SimulateOptions;
use civicpulse_store::{migrate, ClickHouseStore};
use tokio_util::sync::CancellationToken;
use tracing_subscriber::EnvFilter;

use crate::cli::{Cli, Command, ExportArgs, ReportArgs, SimulateArgs};

pub fn init_logging(json: bool) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,rdkafka=warn,hyper=warn"));
    // Colours only on a terminal: log files and collectors get plain text.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

pub async fn execute(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Schema => {
            print!("{}", civicpulse_core::schema::event_schema_json());
            Ok(())
        }
        Command::HashKey { key } => {
            let key = match key.as_deref() {
                None | Some("-") => {
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    line.trim_end_matches(['\n', '\r']).to_string()
                }
                Some(key) => key.to_string(),
            };
            anyhow::ensure!(
                !key.is_empty(),
                "no key given (an argument, or a line on standard input)"
            );
            println!("{}", hash_secret(&key));
            Ok(())
        }
        Command::Themes(command) => {
            let config = load_config(cli.config.as_deref())?;
            crate::themes::execute(command, &config, &*load_catalog(&config)?).await
        }
        command => {
            let config = load_config(cli.config.as_deref())?;
            run_component(command, config).await
        }
    }
}

/// `--config`, else `./civicpulse.toml`, else the example of a checkout
/// (`./deploy/civicpulse.toml`), else defaults and environment only.
fn load_config(path: Option<&Path>) -> anyhow::Result<Config> {
    let found = ["civicpulse.toml", "deploy/civicpulse.toml"]
        .into_iter()
        .map(PathBuf::from)
        .find(|candidate| candidate.exists());
    let path = path.map(Path::to_path_buf).or(found);
    Config::load(path.as_deref()).context("loading configuration")
}

fn load_catalog(config: &Config) -> anyhow::Result<Arc<Catalog>> {
    let catalog = Catalog::load(&config.catalog_path)
        .with_context(|| format!("loading catalog {}", config.catalog_path.display()))?;
    tracing::info!(services = catalog.services.len(), "catalog loaded");
    Ok(Arc::new(catalog))
}

async fn run_component(command: Command, config: Config) -> anyhow::Result<()> {
    let stop = shutdown::on_signal();
    match command {
        Command::Gateway => {
            gateway::serve(&config, load_catalog(&config)?, stop).await?;
        }
        Command::Sink => {
            let metrics = serve_metrics(config.sink.metrics_listen, stop.clone());
            sink::run(&config, stop.clone()).await?;
            stop.cancel();
            metrics.await??;
        }
        Command::Migrate => {
            let applied = migrate::run(&config.clickhouse).await?;
            tracing::info!(?applied, database = %config.clickhouse.database, "migrations up to date");
        }
        Command::DashboardApi => {
            let state = ApiState::new(load_catalog(&config)?, &config);
            civicpulse_dashboard_api::serve(config.dashboard.listen, state, stop).await?;
        }
        Command::Aggregator => {
            let catalog = load_catalog(&config)?;
            let metrics = serve_metrics(config.aggregator.metrics_listen, stop.clone());
            let reports = tokio::spawn(civicpulse_reports::scheduler::run_every(
                catalog.clone(),
                Arc::new(config.clone()),
                aggregation_interval(&config),
                stop.clone(),
            ));
            let model = themes_model(&config, &catalog)?;
            civicpulse_aggregator::schedule::run_every(
                config.clickhouse.clone(),
                config.matrix.clone(),
                config.retention.clone(),
                catalog,
                model,
                aggregation_interval(&config),
                stop.clone(),
            )
            .await;
            reports.await?;
            stop.cancel();
            metrics.await??;
        }
        Command::Aggregate { as_of } => {
            let catalog = load_catalog(&config)?;
            let now = as_of.unwrap_or_else(chrono::Utc::now);
            let model = themes_model(&config, &catalog)?;
            let report = civicpulse_aggregator::schedule::aggregate_once(
                &config.clickhouse,
                &config.matrix,
                &config.retention,
                &catalog,
                &model,
                now,
            )
            .await?;
            let mode = |full: bool| if full { "full" } else { "incremental" };
            for run in report.sla {
                println!(
                    "SLA {} / {}: {} cases evaluated ({})",
                    run.service_id,
                    run.policy,
                    run.evaluated_cases,
                    mode(run.full)
                );
            }
            for run in report.rollups {
                println!(
                    "matrix {}: {} days refreshed ({})",
                    run.service_id,
                    run.days_refreshed,
                    mode(run.full)
                );
            }
            println!("matrix snapshots: {} cells stored", report.snapshot_cells);
            for state in report.retention {
                let removed: u64 = state.expired.iter().map(|e| e.rows).sum();
                println!(
                    "retention {}: {removed} rows removed, oldest row {:.1} days old (limit {})",
                    state.kind.as_str(),
                    state.oldest_row_age_days(),
                    state.limit_days
                );
            }
        }
        Command::Erase(args) => crate::erase::run(&config, args).await?,
        Command::Report(args) => write_report(&config, &args).await?,
        Command::Export(args) => write_export(&config, &args).await?,
        Command::ReportSchedule { as_of } => {
            let catalog = load_catalog(&config)?;
            let store = civicpulse_store::Store::connect(&config.clickhouse).await?;
            let now = as_of.unwrap_or_else(chrono::Utc::now);
            // One pass re-checks every published period in reach, whenever it last was.
            let done = civicpulse_reports::scheduler::tick(
                &ClickHouseStore::connected(store.client.clone()),
                &catalog,
                &config,
                now,
                &mut civicpulse_reports::scheduler::Rechecks::default(),
            )
            .await?;
            for (period, lang) in &done.written {
                println!("written: {period} {}", lang.as_str());
            }
            for (period, lang, revision, changed) in &done.revised {
                println!(
                    "revised: {period} {} revision {revision}, {changed} figures changed",
                    lang.as_str()
                );
            }
            for (period, lang) in &done.unchanged {
                println!("unchanged: {period} {}", lang.as_str());
            }
            for (period, lang, error) in &done.failed {
                println!("failed: {period} {}: {error}", lang.as_str());
            }
            for (period, lang, error) in &done.recheck_failed {
                println!("re-check failed: {period} {}: {error}", lang.as_str());
            }
            println!(
                "already written: {}, waiting to retry: {}",
                done.already_written, done.waiting_to_retry
            );
        }
        Command::Run => run_all(config, stop).await?,
        Command::Simulate(args) => simulate_traffic(&config, args, stop).await?,
        Command::Schema | Command::HashKey { .. } | Command::Themes(_) => {
            unreachable!("handled without configuration")
        }
    }
    Ok(())
}

/// A standalone sink or aggregator serves only `/metrics`.
fn serve_metrics(
    addr: std::net::SocketAddr,
    stop: CancellationToken,
) -> tokio::task::JoinHandle<anyhow::Result<()>> {
    tokio::spawn(async move {
        civicpulse_http_server::exposition::serve(addr, stop)
            .await
            .with_context(|| format!("metrics on {addr}"))
    })
}

/// The themes model the aggregator reads comments with (`aggregator.themes_model`, else the
/// catalog's seeds): a file that cannot be loaded is an error at start, naming it.
fn themes_model(
    config: &Config,
    catalog: &civicpulse_core::Catalog,
) -> anyhow::Result<civicpulse_analytics::themes::Model> {
    let path = config.aggregator.themes_model.as_deref();
    civicpulse_aggregator::themes::model(path, catalog).with_context(|| {
        format!(
            "aggregator.themes_model {}",
            path.map_or_else(String::new, |p| p.display().to_string())
        )
    })
}

fn aggregation_interval(config: &Config) -> std::time::Duration {
    std::time::Duration::from_secs(config.aggregator.interval_secs.max(1))
}

/// Migrations first, then gateway, sink, aggregator and dashboard API side by side; the first to fail
/// stops the others.
async fn run_all(config: Config, stop: CancellationToken) -> anyhow::Result<()> {
    migrate::run(&config.clickhouse)
        .await
        .context("migrations")?;
    let catalog = load_catalog(&config)?;
    let config = Arc::new(config);
    let mut tasks = tokio::task::JoinSet::new();
    {
        let (config, catalog, stop) = (config.clone(), catalog.clone(), stop.clone());
        tasks.spawn(async move {
            gateway::serve(&config, catalog, stop)
                .await
                .context("gateway")
        });
    }
    {
        let (config, stop) = (config.clone(), stop.clone());
        tasks.spawn(async move { sink::run(&config, stop).await.context("sink") });
    }
    {
        let (clickhouse, matrix, retention, catalog, stop) = (
            config.clickhouse.clone(),
            config.matrix.clone(),
            config.retention.clone(),
            catalog.clone(),
            stop.clone(),
        );
        let interval = aggregation_interval(&config);
        let model = themes_model(&config, &catalog)?;
        tasks.spawn(async move {
            civicpulse_aggregator::schedule::run_every(
                clickhouse, matrix, retention, catalog, model, interval, stop,
            )
            .await;
            Ok(())
        });
    }
    {
        let (config, catalog, stop) = (config.clone(), catalog.clone(), stop.clone());
        let interval = aggregation_interval(&config);
        tasks.spawn(async move {
            civicpulse_reports::scheduler::run_every(catalog, config, interval, stop).await;
            Ok(())
        });
    }
    {
        let state = ApiState::new(catalog, &config);
        let (addr, stop) = (config.dashboard.listen, stop.clone());
        tasks.spawn(async move {
            civicpulse_dashboard_api::serve(addr, state, stop)
                .await
                .context("dashboard API")
        });
    }
    let mut first_error = None;
    while let Some(joined) = tasks.join_next().await {
        let outcome = joined.context("component panicked").and_then(|r| r);
        if let Err(error) = outcome {
            tracing::error!(error = %format!("{error:#}"), "component failed; stopping the others");
            stop.cancel();
            first_error.get_or_insert(error);
        }
    }
    first_error.map_or(Ok(()), Err)
}

/// Gathers a period's figures and writes the report (open data, HTML, PDF when Chromium
/// is there); prints each file written, and says plainly when there is no PDF. Into a
/// folder that holds the period's report already, it writes a revision or nothing.
async fn write_report(config: &Config, args: &ReportArgs) -> anyhow::Result<()> {
    let catalog = load_catalog(config)?;
    let period =
        civicpulse_analytics::period::Period::parse(&args.period, catalog.fiscal_year_start())
            .map_err(|error| anyhow::anyhow!("--period: {error}"))?;
    let services =
        civicpulse_reports::scope::services(&catalog, &args.services, args.jurisdiction.as_deref())
            .map_err(|reason| anyhow::anyhow!("{reason}"))?;
    let store = civicpulse_store::Store::connect(&config.clickhouse).await?;
    let figures = civicpulse_reports::generate::figures(
        &ClickHouseStore::connected(store.client.clone()),
        &catalog,
        config,
        &period,
        &services,
    )
    .await?;
    use civicpulse_reports::revision::{self, InFolder};
    // A folder that already holds this period's report is revised beside it, never
    // overwritten; the same figures again write nothing.
    let revision = match revision::in_folder_next(&args.out, &figures)? {
        InFolder::First => None,
        InFolder::Unchanged { number, dir } => {
            println!(
                "unchanged: revision {number} in {} has the same figures; nothing written",
                dir.display()
            );
            return Ok(());
        }
        InFolder::Next(revision) => Some(revision),
    };
    let dir = revision::folder(&args.out, revision.as_ref().map_or(1, |r| r.number));
    let chromium = civicpulse_reports::pdf::find_chromium(config.reports.chromium.as_deref());
    let written = civicpulse_reports::publish::write_revision(
        &figures,
        args.lang,
        &dir,
        chromium.as_deref(),
        revision.as_ref(),
    )
    .await?;
    if let Some(revision) = &revision {
        println!(
            "revision {}: {} figures changed since revision {}",
            revision.number,
            revision.changes.len(),
            revision.number - 1
        );
    }
    for file in &written.files {
        println!("{}", file.path.display());
    }
    if let Some(missing) = written.pdf_missing {
        eprintln!("no report.pdf: {missing}");
    }
    Ok(())
}

/// Writes one export file; prints its path and what the format had to leave out.
async fn write_export(config: &Config, args: &ExportArgs) -> anyhow::Result<()> {
    let catalog = load_catalog(config)?;
    civicpulse_reports::scope::services(&catalog, &args.services, None)
        .map_err(|reason| anyhow::anyhow!("{reason}"))?;
    let store = civicpulse_store::Store::connect(&config.clickhouse).await?;
    let export = civicpulse_reports::exports::export(
        &ClickHouseStore::connected(store.client),
        &catalog,
        &config.matrix,
        args.format,
        &args.period,
        &args.services,
    )
    .await?;
    let path = args
        .out
        .clone()
        .unwrap_or_else(|| std::path::PathBuf::from(&export.file_name));
    std::fs::write(&path, &export.body).with_context(|| format!("writing {}", path.display()))?;
    for note in &export.left_out {
        eprintln!("left out: {note}");
    }
    println!("{}", path.display());
    Ok(())
}

async fn simulate_traffic(
    config: &Config,
    args: SimulateArgs,
    stop: CancellationToken,
) -> anyhow::Result<()> {
    let catalog = load_catalog(config)?;
    let options = SimulateOptions {
        gateway_url: args
            .gateway_url
            .unwrap_or_else(|| format!("http://{}", config.gateway.listen)),
        api_key: args.api_key,
        rate: args.rate,
        duration: args.duration,
        seed: args.seed,
        history_days: args.history_days,
        surge_service: args.surge_service,
        backfill: args.backfill,
        live: args.live,
        outage_days_ago: args.outage_days_ago,
        until: args.until,
    };
    let report = simulate::run(&catalog, &options, &stop).await?;
    println!(
        "sent {} events in {} requests: {} accepted, {} duplicates in a request, {} rejected; {} requests retried",
        report.sent, report.requests, report.accepted, report.duplicates, report.rejected, report.retried_requests
    );
    Ok(())
}
