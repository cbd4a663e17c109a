//! A replicated, sharded ClickHouse on one machine: a standalone ZooKeeper and one
//! Debian 18.16 server per replica, each with its own ports, paths and full configuration
//! (a copy of Debian's `config.xml` with its ports, paths, `<zookeeper>`, `<macros>` and
//! `<remote_servers>` written in: the Debian file's `incl`/`optional` elements make a
//! config.d merge unreliable, see `../shared/infra.md`). `scripts/cluster-up` starts it
//! through the `server-command` binary; tests use the same layout.

use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::servers::ClickHousePorts;

/// Debian's server configuration, the base of every replica's.
pub const DEBIAN_CONFIG: &str = "/etc/clickhouse-server/config.xml";

/// One replica of one shard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Replica {
    pub shard: u32,
    pub replica: u32,
    pub ports: ClickHousePorts,
}

impl Replica {
    /// `s1r1`, `s2r2`: the replica's folder and its `{replica}` macro.
    pub fn name(&self) -> String {
        format!("s{}r{}", self.shard, self.replica)
    }
}

/// A cluster's name, its ZooKeeper and its replicas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub name: String,
    pub zookeeper_port: u16,
    pub replicas: Vec<Replica>,
}

impl Layout {
    /// `shards` × `replicas` servers on ports from `base`: ZooKeeper on `base`, then
    /// each replica's HTTP, TCP and interserver ports in tens (`base + 10`, `+ 11`, `+ 12`;
    /// `base + 20`, …).
    pub fn local(name: &str, shards: u32, replicas: u32, base: u16) -> Layout {
        let mut all = Vec::new();
        for shard in 1..=shards {
            for replica in 1..=replicas {
                let index = ((shard - 1) * replicas + replica) as u16;
                let first = base + 10 * index;
                all.push(Replica {
                    shard,
                    replica,
                    ports: ClickHousePorts {
                        http: first,
                        tcp: first + 1,
                        interserver: first + 2,
                    },
                });
            }
        }
        Layout {
            name: name.to_string(),
            zookeeper_port: base,
            replicas: all,
        }
    }

    /// The cluster of the same shards with only their first replica, where the
    /// migrations' `ALTER`s go (`[clickhouse] alter_cluster`; why in its doc comment).
    pub fn alter_cluster(&self) -> String {
        format!("{}_alter", self.name)
    }

    /// `<remote_servers>` naming every shard's replicas, with internal replication (each
    /// insert goes to one replica, which replicates it through ZooKeeper), and the alter
    /// cluster of one replica per shard.
    fn remote_servers(&self) -> String {
        let all = self.shards_xml(usize::MAX);
        let first = self.shards_xml(1);
        format!(
            "<remote_servers>\n        <{name}>\n{all}        </{name}>\n        <{alter}>\n{first}        </{alter}>\n    </remote_servers>",
            name = self.name,
            alter = self.alter_cluster(),
        )
    }

    /// Each shard's `<shard>` element, listing at most `replicas_per_shard` of its replicas.
    fn shards_xml(&self, replicas_per_shard: usize) -> String {
        let mut shards = String::new();
        let mut numbers: Vec<u32> = self.replicas.iter().map(|r| r.shard).collect();
        numbers.dedup();
        for shard in numbers {
            shards.push_str("            <shard>\n                <internal_replication>true</internal_replication>\n");
            for replica in self
                .replicas
                .iter()
                .filter(|r| r.shard == shard)
                .take(replicas_per_shard)
            {
                shards.push_str(&format!(
                    "                <replica><host>127.0.0.1</host><port>{}</port></replica>\n",
                    replica.ports.tcp
                ));
            }
            shards.push_str("            </shard>\n");
        }
        shards
    }

    /// The full configuration of `replica`, its data under `dir`, from Debian's `base`.
    pub fn replica_config(
        &self,
        replica: &Replica,
        dir: &Path,
        base: &str,
    ) -> Result<String, String> {
        let d = dir.display();
        let mut config = base.to_string();
        let mut swap = |from: &str, to: String| -> Result<(), String> {
            if !config.contains(from) {
                return Err(format!("Debian's config.xml has no `{from}`"));
            }
            config = config.replacen(from, &to, 1);
            Ok(())
        };
        swap(
            "<http_port>8123</http_port>",
            format!("<http_port>{}</http_port>", replica.ports.http),
        )?;
        swap(
            "<tcp_port>9000</tcp_port>",
            format!("<tcp_port>{}</tcp_port>", replica.ports.tcp),
        )?;
        swap(
            "<interserver_http_port>9009</interserver_http_port>",
            format!(
                "<interserver_http_port>{}</interserver_http_port>\n    <interserver_http_host>127.0.0.1</interserver_http_host>",
                replica.ports.interserver
            ),
        )?;
        swap("<listen_host>::1</listen_host>", String::new())?;
        swap(
            "<path>/var/lib/clickhouse/</path>",
            format!("<path>{d}/data/</path>"),
        )?;
        swap(
            "<tmp_path>/var/lib/clickhouse/tmp/</tmp_path>",
            format!("<tmp_path>{d}/data/tmp/</tmp_path>"),
        )?;
        swap(
            "<user_files_path>/var/lib/clickhouse/user_files/</user_files_path>",
            format!("<user_files_path>{d}/data/user_files/</user_files_path>"),
        )?;
        swap(
            "<format_schema_path>/var/lib/clickhouse/format_schemas/</format_schema_path>",
            format!("<format_schema_path>{d}/data/format_schemas/</format_schema_path>"),
        )?;
        swap(
            "<log>/var/log/clickhouse-server/clickhouse-server.log</log>",
            format!("<log>{d}/log/server.log</log>"),
        )?;
        swap(
            "<errorlog>/var/log/clickhouse-server/clickhouse-server.err.log</errorlog>",
            format!("<errorlog>{d}/log/server.err.log</errorlog>"),
        )?;
        swap(
            "<users_config>users.xml</users_config>",
            "<users_config>/etc/clickhouse-server/users.xml</users_config>".into(),
        )?;
        swap(
            r#"<zookeeper incl="zookeeper-servers" optional="true" />"#,
            format!(
                "<zookeeper><node><host>127.0.0.1</host><port>{}</port></node></zookeeper>",
                self.zookeeper_port
            ),
        )?;
        swap(
            r#"<macros incl="macros" optional="true" />"#,
            format!(
                "<macros><cluster>{}</cluster><shard>{}</shard><replica>{}</replica></macros>",
                self.name,
                replica.shard,
                replica.name()
            ),
        )?;
        let start = config
            .find("<remote_servers incl=")
            .ok_or("Debian's config.xml has no <remote_servers>")?;
        let end = config[start..]
            .find("</remote_servers>")
            .map(|i| start + i + "</remote_servers>".len())
            .ok_or("Debian's <remote_servers> is not closed")?;
        config.replace_range(start..end, &self.remote_servers());
        Ok(config)
    }
}

/// A standalone ZooKeeper in the foreground (Debian's jars), its data under `dir`; its
/// admin server is off, as it would take the gateway's port 8080.
pub fn zookeeper(dir: &Path, port: u16) -> io::Result<Command> {
    std::fs::create_dir_all(dir.join("data"))?;
    let config = dir.join("zoo.cfg");
    std::fs::write(
        &config,
        format!(
            "tickTime=2000\ninitLimit=10\nsyncLimit=5\ndataDir={}/data\nclientPort={port}\n\
             clientPortAddress=127.0.0.1\nadmin.enableServer=false\n4lw.commands.whitelist=ruok,stat\n",
            dir.display()
        ),
    )?;
    let mut command = Command::new("java");
    command
        .current_dir(dir)
        .arg("-Xmx256m")
        .arg("-cp")
        .arg("/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar")
        .arg("org.apache.zookeeper.server.quorum.QuorumPeerMain")
        .arg(&config);
    Ok(command)
}

/// One replica's `clickhouse-server`: its configuration written to `dir/config.xml`.
pub fn replica(layout: &Layout, replica: &Replica, dir: &Path) -> io::Result<Command> {
    for sub in ["data/tmp", "data/user_files", "data/format_schemas", "log"] {
        std::fs::create_dir_all(dir.join(sub))?;
    }
    let base = std::fs::read_to_string(DEBIAN_CONFIG)?;
    let config = layout
        .replica_config(replica, dir, &base)
        .map_err(io::Error::other)?;
    let path: PathBuf = dir.join("config.xml");
    std::fs::write(&path, config)?;
    let mut command = Command::new("clickhouse-server");
    command
        .current_dir(dir)
        .arg(format!("--config-file={}", path.display()));
    Ok(command)
}

/// Tells a crashed replica to restore its replicated tables at its next start
/// (`flags/force_restore_data`, what an operator does after such a crash). A replica
/// killed mid-insert can hold a part that ZooKeeper never recorded; 18.16 then refuses to
/// load the table ("doesn't look like the set of parts in ZooKeeper") and never starts.
/// With the flag it detaches the unexpected part and fetches what its peer has; the rows
/// of the interrupted insert were never acknowledged, so the sink sends them again.
pub fn force_restore_at_next_start(dir: &Path) -> io::Result<()> {
    let flags = dir.join("data/flags");
    std::fs::create_dir_all(&flags)?;
    std::fs::write(flags.join("force_restore_data"), b"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_two_by_two_layout_has_distinct_ports_and_names() {
        let layout = Layout::local("civicpulse", 2, 2, 19000);
        let names: Vec<String> = layout.replicas.iter().map(Replica::name).collect();
        assert_eq!(names, ["s1r1", "s1r2", "s2r1", "s2r2"]);
        let mut ports: Vec<u16> = layout
            .replicas
            .iter()
            .flat_map(|r| [r.ports.http, r.ports.tcp, r.ports.interserver])
            .chain([layout.zookeeper_port])
            .collect();
        ports.sort_unstable();
        ports.dedup();
        assert_eq!(ports.len(), 13);
    }

    #[test]
    fn a_replica_config_names_its_shard_replica_and_every_peer() {
        let layout = Layout::local("civicpulse", 2, 2, 19000);
        let base = std::fs::read_to_string(DEBIAN_CONFIG)
            .expect("Debian's clickhouse-server is installed");
        let config = layout
            .replica_config(&layout.replicas[3], Path::new("/tmp/x"), &base)
            .unwrap();
        assert!(config.contains("<shard>2</shard><replica>s2r2</replica>"));
        assert!(config.contains("<http_port>19040</http_port>"));
        assert!(config.contains("<port>19000</port></node></zookeeper>"));
        for replica in &layout.replicas {
            assert!(config.contains(&format!("<port>{}</port></replica>", replica.ports.tcp)));
        }
        assert_eq!(
            config.matches("<shard>").count(),
            5,
            "two shards, the alter cluster's two and the macro"
        );
        // The alter cluster: each shard's first replica alone (s1r1, s2r1).
        let alter = &config[config.find("<civicpulse_alter>").unwrap()
            ..config.find("</civicpulse_alter>").unwrap()];
        let ports: Vec<u16> = layout.replicas.iter().map(|r| r.ports.tcp).collect();
        assert!(alter.contains(&format!("<port>{}</port>", ports[0])));
        assert!(alter.contains(&format!("<port>{}</port>", ports[2])));
        assert!(!alter.contains(&format!("<port>{}</port>", ports[1])));
        assert!(!alter.contains(&format!("<port>{}</port>", ports[3])));
        assert!(!config.contains("/var/lib/clickhouse"));
    }
}
