//! Prepares a server's directory and prints its command line, one word per line, for
//! `scripts/servers.sh` (`mapfile -t`), so the scripts and the tests share one definition.
//!
//! `server-command clickhouse DIR` (the configured ports), `server-command tansu DIR PORT`,
//! `server-command prometheus CONFIG DIR PORT`, `server-command alertmanager CONFIG DIR PORT`.

use std::path::Path;
use std::process::ExitCode;

use civicpulse_testkit::servers;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["clickhouse", dir] => servers::clickhouse(Path::new(dir), None),
        ["tansu", dir, port] => match port.parse() {
            Ok(port) => servers::tansu(Path::new(dir), port),
            Err(_) => return usage(&format!("`{port}` is not a port")),
        },
        [server @ ("prometheus" | "alertmanager"), config, dir, port] => match port.parse() {
            Ok(port) if *server == "prometheus" => {
                servers::prometheus(Path::new(config), Path::new(dir), port)
            }
            Ok(port) => servers::alertmanager(Path::new(config), Path::new(dir), port),
            Err(_) => return usage(&format!("`{port}` is not a port")),
        },
        _ => return usage("unknown server or arguments"),
    };
    match command {
        Ok(command) => {
            for word in servers::words(&command) {
                println!("{word}");
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("server-command: cannot prepare the directory: {error}");
            ExitCode::FAILURE
        }
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("server-command: {problem}\nusage: server-command clickhouse DIR | tansu DIR PORT | prometheus CONFIG DIR PORT | alertmanager CONFIG DIR PORT");
    ExitCode::from(2)
}
