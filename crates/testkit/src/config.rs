//! The configuration of one isolated pipeline (its own topics, consumer group, database and
//! ports), as the typed `Config` every component reads, written to a TOML file.

use std::path::{Path, PathBuf};

use civicpulse_core::access::{Role, Scope, Token};
use civicpulse_core::config::{hash_secret, ApiKey};
use civicpulse_core::Config;

use crate::ports::free_port;

/// Names and ports no other test or bench run uses: topics `<prefix>.*`, database
/// `<prefix>`, group `<prefix>_sink`, and free ports for every listener.
pub fn isolated(prefix: &str, catalog_path: &Path) -> Config {
    let mut config = Config {
        catalog_path: catalog_path.to_path_buf(),
        ..Config::default()
    };
    config.kafka.topic_prefix = prefix.to_string();
    config.clickhouse.database = prefix.to_string();
    config.sink.group_id = format!("{prefix}_sink");
    config.gateway.listen = local(free_port());
    config.sink.metrics_listen = local(free_port());
    config.dashboard.listen = local(free_port());
    config.aggregator.metrics_listen = local(free_port());
    config
}

/// Lets `source` post events with `key`.
pub fn accept_key(config: &mut Config, source: &str, key: &str) {
    config.gateway.api_keys.push(ApiKey {
        source: source.to_string(),
        sha256: hash_secret(key),
        expires_at: None,
    });
}

/// A dashboard token named `name` whose secret is `secret`, for every service.
pub fn token_of(name: &str, secret: &str, role: Role) -> Token {
    Token {
        name: name.to_string(),
        sha256: hash_secret(secret),
        role,
        scope: Scope::default(),
        expires_at: None,
        comments_read_limit_per_day: None,
    }
}

/// Writes `config` as `civicpulse.toml` in `dir`; its path.
pub fn write(config: &Config, dir: &Path) -> PathBuf {
    let path = dir.join("civicpulse.toml");
    let text = toml::to_string(config).expect("the configuration serializes");
    std::fs::write(&path, text).expect("the configuration is written");
    path
}

fn local(port: u16) -> std::net::SocketAddr {
    std::net::SocketAddr::from(([127, 0, 0, 1], port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_configuration_loads_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = isolated("t_abc", Path::new("catalog.toml"));
        accept_key(&mut config, "e2e", "key");
        config
            .dashboard
            .tokens
            .push(token_of("e2e", "token", Role::Admin));
        let path = write(&config, dir.path());
        let loaded: Config = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert_eq!(loaded, config);
        assert_eq!(loaded.sink.group_id, "t_abc_sink");
        assert_ne!(loaded.gateway.listen, loaded.dashboard.listen);
    }
}
