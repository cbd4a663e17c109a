//! `civicpulse erase`: the store's erasure, as an admin token's request would run it, with
//! what an operator typing it needs: the reference can come from standard input (so it is
//! not kept in the shell's history), a service must be one of the catalog's (a typo would
//! otherwise erase nothing and still look done), and an erasure that found no row says so
//! with its own exit code.

use std::io::{BufRead, IsTerminal, Read, Write};

use anyhow::Context;
use civicpulse_core::{Catalog, Config};
use civicpulse_store::erasure::{self, ErasureRequest};
use civicpulse_store::mutation::Mutator;

use crate::cli::EraseArgs;

/// The exit code of an erasure that found no row of the case: distinct from a failure (1)
/// and a usage error (2), so a script can tell "nothing was stored" from "not done".
pub const NOTHING_ERASED_EXIT: u8 = 3;

/// An erasure carried out and recorded in the audit that found no row of the case.
#[derive(Debug)]
pub struct NothingErased {
    pub case_digest: String,
    pub service: Option<String>,
}

impl std::fmt::Display for NothingErased {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scope = match &self.service {
            Some(service) => format!(" in service `{service}`"),
            None => " in any service".to_string(),
        };
        write!(
            f,
            "nothing was erased: no row of case sha256 {}{scope} is stored (already erased, \
             never received, or the reference differs from the case system's). The request is \
             recorded in the access audit with 0 rows.",
            self.case_digest
        )
    }
}

impl std::error::Error for NothingErased {}

/// Runs `civicpulse erase`; `NothingErased` when no row was found (the caller exits 3).
pub async fn run(config: &Config, args: EraseArgs) -> anyhow::Result<()> {
    let case_ref = if args.case_ref == "-" {
        read_case_ref()?
    } else {
        args.case_ref.trim().to_string()
    };
    if case_ref.is_empty() {
        anyhow::bail!("no case reference given: nothing was erased or recorded");
    }
    if let Some(service) = &args.service {
        let catalog = Catalog::load(&config.catalog_path)
            .with_context(|| format!("loading catalog {}", config.catalog_path.display()))?;
        if catalog.service(service).is_none() {
            anyhow::bail!(
                "unknown service `{service}`: not in the catalog {}; nothing was erased or recorded",
                config.catalog_path.display()
            );
        }
    }
    let store = civicpulse_store::Store::connect(&config.clickhouse).await?;
    let mutator = Mutator::new(store.client, &config.clickhouse);
    let request = ErasureRequest {
        case_ref,
        service_id: args.service,
        requested_by: args.requested_by,
        endpoint: "cli".into(),
        request_id: format!(
            "cli-{}",
            chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
        ),
    };
    let report = erasure::erase_case(&mutator, &request).await?;
    for (table, rows) in &report.tables {
        println!("{table}: {rows} rows erased");
    }
    println!(
        "case sha256 {}: {} rows erased, {} days to recompute at the aggregator's next run",
        report.case_digest,
        report.rows(),
        report.days_to_recompute
    );
    if report.rows() == 0 {
        let nothing = NothingErased {
            case_digest: report.case_digest,
            service: request.service_id,
        };
        eprintln!("warning: {nothing}");
        return Err(nothing.into());
    }
    Ok(())
}

/// One reference from standard input: the first line typed at a prompt on a terminal, or
/// the whole input (one non-empty line) from a file or a pipe.
fn read_case_ref() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("case reference: ");
        std::io::stderr().flush().ok();
        let mut line = String::new();
        stdin.lock().read_line(&mut line)?;
        return Ok(line.trim().to_string());
    }
    let mut text = String::new();
    stdin
        .lock()
        .read_to_string(&mut text)
        .context("reading the case reference from standard input")?;
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    match lines[..] {
        [one] => Ok(one.to_string()),
        [] => Ok(String::new()),
        _ => anyhow::bail!(
            "standard input holds {} lines: `--case-ref -` reads one case reference; nothing was erased or recorded",
            lines.len()
        ),
    }
}
