use clap::Parser;

fn main() -> anyhow::Result<()> {
    let cli = civicpulse::cli::Cli::parse();
    civicpulse::commands::init_logging(cli.log_json);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(civicpulse::commands::execute(cli))
}
