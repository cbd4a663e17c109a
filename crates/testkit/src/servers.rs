//! The command lines of the servers the suite runs, defined once: `scripts/servers.sh`
//! starts the shared servers with them (through the `server-command` binary) and the e2e
//! tests start private ones with them.

use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Ports of a ClickHouse server; the shared server uses its configuration's (8123, 9000,
/// 9009).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClickHousePorts {
    pub http: u16,
    pub tcp: u16,
    pub interserver: u16,
}

/// Debian's `clickhouse-server` with every path under `dir` (created here), on `ports` or
/// the configured ones.
pub fn clickhouse(dir: &Path, ports: Option<ClickHousePorts>) -> io::Result<Command> {
    for sub in ["data/tmp", "data/user_files", "data/format_schemas", "log"] {
        std::fs::create_dir_all(dir.join(sub))?;
    }
    let d = dir.display();
    let mut command = Command::new("clickhouse-server");
    command
        .current_dir(dir)
        .arg("--config-file=/etc/clickhouse-server/config.xml")
        .arg("--")
        .arg(format!("--path={d}/data/"))
        .arg(format!("--tmp_path={d}/data/tmp/"))
        .arg(format!("--user_files_path={d}/data/user_files/"))
        .arg(format!("--format_schema_path={d}/data/format_schemas/"))
        .arg(format!("--logger.log={d}/log/server.log"))
        .arg(format!("--logger.errorlog={d}/log/server.err.log"));
    if let Some(ports) = ports {
        command
            .arg(format!("--http_port={}", ports.http))
            .arg(format!("--tcp_port={}", ports.tcp))
            .arg(format!("--interserver_http_port={}", ports.interserver));
    }
    Ok(command)
}

/// The `tansu` broker (Kafka protocol) listening on `port`, its sqlite storage in `dir`
/// (created here; the storage path is relative to the working directory).
pub fn tansu(dir: &Path, port: u16) -> io::Result<Command> {
    std::fs::create_dir_all(dir)?;
    let url = format!("tcp://127.0.0.1:{port}");
    let mut command = Command::new(tansu_program());
    command
        .current_dir(dir)
        .args([
            "broker",
            "--listener-url",
            &url,
            "--advertised-listener-url",
            &url,
        ])
        .args(["--storage-engine", "sqlite://tansu.db"]);
    Ok(command)
}

/// Prometheus with `config` (its rule files are found next to it), its data in `dir`,
/// listening on `port`. Alertmanager targets and scrape targets are the config's.
pub fn prometheus(config: &Path, dir: &Path, port: u16) -> io::Result<Command> {
    std::fs::create_dir_all(dir)?;
    let mut command = Command::new("prometheus");
    command
        .current_dir(dir)
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        // Lets a test (or an operator) reload the rules without a restart.
        .arg("--web.enable-lifecycle");
    Ok(command)
}

/// Debian's Alertmanager with `config`, its state in `dir`, on `port`, alone (no cluster).
pub fn alertmanager(config: &Path, dir: &Path, port: u16) -> io::Result<Command> {
    std::fs::create_dir_all(dir)?;
    let mut command = Command::new("prometheus-alertmanager");
    command
        .current_dir(dir)
        .arg(format!("--config.file={}", config.display()))
        .arg(format!("--storage.path={}", dir.join("data").display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg("--cluster.listen-address=");
    Ok(command)
}

/// `cargo install` puts tansu in `~/.cargo/bin`, which a test's PATH may lack.
fn tansu_program() -> PathBuf {
    std::env::var("HOME")
        .map(|home| Path::new(&home).join(".cargo/bin/tansu"))
        .ok()
        .filter(|path| path.exists())
        .unwrap_or_else(|| PathBuf::from("tansu"))
}

/// A command's program and arguments, one per line (what `server-command` prints).
pub fn words(command: &Command) -> Vec<String> {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|word| word.to_string_lossy().into_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_servers_get_their_own_ports_and_paths() {
        let dir = tempfile::tempdir().unwrap();
        let ports = ClickHousePorts {
            http: 20001,
            tcp: 20002,
            interserver: 20003,
        };
        let words = words(&clickhouse(dir.path(), Some(ports)).unwrap());
        assert_eq!(words[0], "clickhouse-server");
        assert!(
            words.contains(&"--http_port=20001".to_string()),
            "{words:?}"
        );
        assert!(dir.path().join("data/tmp").is_dir());
        let shared = super::words(&clickhouse(dir.path(), None).unwrap());
        assert!(
            !shared.iter().any(|w| w.starts_with("--http_port")),
            "{shared:?}"
        );

        let broker = super::words(&tansu(dir.path(), 9092).unwrap());
        assert!(broker
            .windows(2)
            .any(|w| w == ["--listener-url", "tcp://127.0.0.1:9092"]));
    }
}
