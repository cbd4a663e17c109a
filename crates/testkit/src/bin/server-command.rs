//! Prepares a server's directory and prints its command line, one word per line, for
//! `scripts/servers.sh` (`mapfile -t`), so the scripts and the tests share one definition.
//!
//! `server-command clickhouse DIR` (the configured ports), `server-command tansu DIR PORT`,
//! `server-command prometheus CONFIG DIR PORT`, `server-command alertmanager CONFIG DIR PORT`,
//! `server-command zookeeper DIR PORT`, and one replica of a local cluster,
//! `server-command cluster-replica DIR BASE_PORT SHARDS REPLICAS SHARD REPLICA`.

use std::path::Path;
use std::process::ExitCode;

use civicpulse_testkit::{cluster, servers};

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
        ["zookeeper", dir, port] => match port.parse() {
            Ok(port) => cluster::zookeeper(Path::new(dir), port),
            Err(_) => return usage(&format!("`{port}` is not a port")),
        },
        ["cluster-replica", dir, numbers @ ..] if numbers.len() == 5 => {
            let parsed: Vec<u32> = numbers.iter().filter_map(|n| n.parse().ok()).collect();
            let [base, shards, replicas, shard, replica] = parsed[..] else {
                return usage("cluster-replica takes five whole numbers");
            };
            let Ok(base) = u16::try_from(base) else {
                return usage(&format!("`{base}` is not a port"));
            };
            let layout = cluster::Layout::local("civicpulse", shards, replicas, base);
            let Some(member) = layout
                .replicas
                .iter()
                .find(|r| r.shard == shard && r.replica == replica)
                .copied()
            else {
                return usage(&format!(
                    "the layout has no shard {shard} replica {replica}"
                ));
            };
            cluster::replica(&layout, &member, Path::new(dir))
        }
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
    eprintln!("server-command: {problem}\nusage: server-command clickhouse DIR | tansu DIR PORT | prometheus CONFIG DIR PORT | alertmanager CONFIG DIR PORT | zookeeper DIR PORT | cluster-replica DIR BASE_PORT SHARDS REPLICAS SHARD REPLICA");
    ExitCode::from(2)
}
