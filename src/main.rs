use std::process::ExitCode;

use civicpulse::erase::{NothingErased, NOTHING_ERASED_EXIT};
use clap::Parser;

fn main() -> ExitCode {
    let cli = civicpulse::cli::Cli::parse();
    civicpulse::commands::init_logging(cli.log_json);
    let outcome = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)
        .and_then(|runtime| runtime.block_on(civicpulse::commands::execute(cli)));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        // Its warning is printed already; the code tells a script apart from a failure.
        Err(error) if error.is::<NothingErased>() => ExitCode::from(NOTHING_ERASED_EXIT),
        Err(error) => {
            eprintln!("Error: {error:?}");
            ExitCode::FAILURE
        }
    }
}
