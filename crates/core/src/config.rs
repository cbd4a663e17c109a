//! The typed `civicpulse.toml`: one file for every component, each value overridable by an
//! environment variable `CIVICPULSE_<SECTION>__<KEY>` (e.g. `CIVICPULSE_KAFKA__BROKERS`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::access::Token;
use crate::event::EventKind;
pub use crate::retention::RetentionConfig;
use crate::secret::Secret;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Load(#[from] Box<figment::Error>),
    #[error("configuration: {0}")]
    Invalid(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The service catalog, relative to the working directory.
    pub catalog_path: PathBuf,
    pub kafka: KafkaConfig,
    pub clickhouse: ClickHouseConfig,
    pub gateway: GatewayConfig,
    pub sink: SinkConfig,
    pub aggregator: AggregatorConfig,
    pub matrix: MatrixConfig,
    pub dashboard: DashboardConfig,
    pub reports: ReportsConfig,
    /// How long each kind of stored data is kept.
    pub retention: RetentionConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            catalog_path: PathBuf::from("catalog.toml"),
            kafka: KafkaConfig::default(),
            clickhouse: ClickHouseConfig::default(),
            gateway: GatewayConfig::default(),
            sink: SinkConfig::default(),
            aggregator: AggregatorConfig::default(),
            matrix: MatrixConfig::default(),
            dashboard: DashboardConfig::default(),
            reports: ReportsConfig::default(),
            retention: RetentionConfig::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KafkaConfig {
    /// Comma-separated bootstrap servers.
    pub brokers: String,
    /// Topics are named `<prefix>.<kind>.v1` and `<prefix>.dead-letter.v1`.
    pub topic_prefix: String,
    /// Partitions of each topic when the gateway creates it; more partitions, more sinks.
    pub partitions: i32,
    pub replication_factor: i32,
}

impl Default for KafkaConfig {
    fn default() -> Self {
        KafkaConfig {
            brokers: "127.0.0.1:9092".into(),
            topic_prefix: "civicpulse".into(),
            partitions: 6,
            replication_factor: 1,
        }
    }
}

impl KafkaConfig {
    pub fn topic(&self, kind: EventKind) -> String {
        format!("{}.{}.v1", self.topic_prefix, kind.as_str())
    }

    pub fn dead_letter_topic(&self) -> String {
        format!("{}.dead-letter.v1", self.topic_prefix)
    }

    /// Every topic the pipeline uses, event topics first.
    pub fn all_topics(&self) -> Vec<String> {
        let mut topics: Vec<String> = EventKind::ALL.iter().map(|k| self.topic(*k)).collect();
        topics.push(self.dead_letter_topic());
        topics
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClickHouseConfig {
    /// HTTP interface, e.g. `http://127.0.0.1:8123`.
    pub url: String,
    pub database: String,
    pub user: String,
    pub password: Secret,
    /// A file holding the password instead (a mounted secret); not with `password`.
    pub password_file: Option<PathBuf>,
    /// Debugging: have the server record every statement in `system.query_log`
    /// (`log_queries = 1`), e.g. to replay them on another ClickHouse version.
    pub log_statements: bool,
    /// The `remote_servers` cluster the tables are replicated and sharded over (empty: one
    /// node). Decided in the storage crate alone (`store::cluster`).
    pub cluster: String,
    /// A `remote_servers` cluster of the same shards with one replica each, which the
    /// migrations' `ALTER`s of replicated tables go to (empty: `cluster`). On a shard of
    /// two replicas, 18.16's DDL worker lets both race for the same `ALTER` (each checks
    /// that no one has run it, then takes the shard's lock after the other released it)
    /// and the loser's worker stops for good, so every later `ON CLUSTER` statement
    /// times out. One replica per shard has no one to race, and a replicated `ALTER`
    /// reaches the shard's other replicas through ZooKeeper anyway.
    pub alter_cluster: String,
    /// Replicas that must acknowledge each insert (`insert_quorum`; 0: one), so a stored
    /// row survives the loss of a server before it replicated.
    pub insert_quorum: u32,
}

impl Default for ClickHouseConfig {
    fn default() -> Self {
        ClickHouseConfig {
            url: "http://127.0.0.1:8123".into(),
            database: "civicpulse".into(),
            user: "default".into(),
            password: Secret::default(),
            password_file: None,
            log_statements: false,
            cluster: String::new(),
            alter_cluster: String::new(),
            insert_quorum: 0,
        }
    }
}

/// One client system allowed to send events. Only the SHA-256 of its key is stored, so the
/// configuration file is not a secret that grants write access.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiKey {
    /// Recorded with every event the key sends.
    pub source: String,
    /// Lower-case hex SHA-256 of the key; `civicpulse hash-key` prints it.
    pub sha256: String,
    /// After this instant (RFC 3339) the key is refused with 401; a source may hold a new
    /// key and the old one at once while its systems move over.
    #[serde(default)]
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Hex SHA-256 of an API key or token, as stored in the configuration.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GatewayConfig {
    pub listen: SocketAddr,
    /// The gateway's address as people's browsers reach it (behind the proxy, if any): the
    /// origin its own form pages post from, and the start of survey links. Never taken
    /// from a request's `Host`, which the client chooses (DNS rebinding).
    pub public_base_url: url::Url,
    /// Largest request body on any route; larger gets 413 (the public endpoint and the
    /// survey have their own, smaller limit: `public.max_body_bytes`).
    pub max_body_bytes: usize,
    /// Most events in one request; more gets 413.
    pub max_events_per_request: usize,
    /// How long a message may wait for Kafka's acknowledgement before the request fails
    /// with 503 (librdkafka's `message.timeout.ms`).
    pub delivery_timeout_ms: u64,
    /// Messages the producer may hold in memory; when full, requests get 503.
    pub producer_queue_messages: u32,
    /// Value of `Retry-After` on 503.
    pub retry_after_secs: u64,
    /// Kafka's idempotent producer (no duplicates or reordering from the producer's own
    /// retries). Off by default because the broker the project ships and tests with, tansu
    /// 0.6, wedges on it: a producer epoch bump after timeouts, or an idempotent produce
    /// after a broker restart, crashes its storage and every later request fails until an
    /// operator restarts it. Switch it on for Apache Kafka or Redpanda. Storage
    /// deduplicates by `event_id` either way, so correctness does not depend on it.
    pub idempotent_producer: bool,
    pub api_keys: Vec<ApiKey>,
    /// Bounds on slow or greedy clients.
    pub limits: HttpLimits,
    /// Feedback straight from people's browsers (`/v1/public/feedback`, the widget and
    /// the no-JavaScript form).
    pub public: PublicFeedbackConfig,
    /// The sites that may embed the widget, each with its public key.
    pub sites: Vec<Site>,
    /// Signed survey links sent after a transaction (`POST /v1/invitations`).
    pub invitations: InvitationsConfig,
}

/// Survey invitations: their links and how long they stay valid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InvitationsConfig {
    /// The secret that seals invitation tokens (set it by environment:
    /// CIVICPULSE_GATEWAY__INVITATIONS__SECRET). Empty: invitations are off.
    pub secret: Secret,
    /// A file holding the secret instead (a mounted secret); not with `secret`.
    pub secret_file: Option<PathBuf>,
    /// Days a link stays valid.
    pub valid_days: u32,
}

impl Default for InvitationsConfig {
    fn default() -> Self {
        InvitationsConfig {
            secret: Secret::default(),
            secret_file: None,
            valid_days: 30,
        }
    }
}

/// Limits of the public feedback endpoint, shared by every site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PublicFeedbackConfig {
    /// Largest public request body; larger gets 413. The default fits a full-length comment
    /// of the widest characters as the no-JavaScript form sends it (a 4-byte character
    /// percent-encoded is 12 bytes), so a person within the comment limit is never refused.
    pub max_body_bytes: usize,
    /// A response sent back sooner than this after it was shown is counted as fast
    /// (`civicpulse_public_feedback_total{outcome="accepted_fast"}`), never dropped: a
    /// quick "Yes" is the commonest real answer.
    pub min_fill_ms: u64,
    /// Take the client's address from `X-Forwarded-For` (behind a proxy such as the
    /// production layout's nginx); otherwise the connection's address is the client's.
    pub trust_forwarded_for: bool,
    /// The key of the site whose widget the gateway's own demo page (`GET /demo`) embeds,
    /// on that site's first service; empty: no demo page (404).
    pub demo_site: String,
}

impl Default for PublicFeedbackConfig {
    fn default() -> Self {
        PublicFeedbackConfig {
            max_body_bytes: crate::validate::MAX_COMMENT_CHARS * 12 + 8 * 1024,
            min_fill_ms: 2_000,
            trust_forwarded_for: false,
            demo_site: String::new(),
        }
    }
}

/// A site that embeds the widget. Its key is public (it sits in the page), so it names the
/// site rather than proving anything: the origins, the services and the rate limits are
/// what protect the endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// Short name; events carry `source = "site:<name>"`.
    pub name: String,
    /// The public site key pages put in `data-civicpulse-site`.
    pub key: String,
    /// Origins (`https://www.example.gc.ca`) whose pages may send feedback for this site.
    pub origins: Vec<String>,
    /// Catalog services this site's pages may give feedback on.
    pub services: Vec<String>,
    /// Submissions per minute from one client address.
    #[serde(default = "default_per_client_per_minute")]
    pub per_client_per_minute: u32,
    /// Submissions per minute for the whole site.
    #[serde(default = "default_per_site_per_minute")]
    pub per_site_per_minute: u32,
}

fn default_per_client_per_minute() -> u32 {
    10
}

fn default_per_site_per_minute() -> u32 {
    600
}

impl Default for GatewayConfig {
    fn default() -> Self {
        GatewayConfig {
            listen: "127.0.0.1:8080".parse().expect("literal address"),
            public_base_url: url::Url::parse("http://127.0.0.1:8080").expect("literal URL"),
            max_body_bytes: 4 * 1024 * 1024,
            max_events_per_request: 5000,
            delivery_timeout_ms: 10_000,
            producer_queue_messages: 200_000,
            retry_after_secs: 5,
            idempotent_producer: false,
            api_keys: Vec::new(),
            limits: HttpLimits::default(),
            public: PublicFeedbackConfig::default(),
            sites: Vec::new(),
            invitations: InvitationsConfig::default(),
        }
    }
}

impl GatewayConfig {
    /// The gateway's own origin (`scheme://host[:port]`, the default port left out), as a
    /// browser sends it in `Origin` from a page the gateway served.
    pub fn public_origin(&self) -> String {
        self.public_base_url.origin().ascii_serialization()
    }

    /// `path` (starting with `/`) under the public base URL.
    pub fn public_url(&self, path: &str) -> String {
        format!(
            "{}{path}",
            self.public_base_url.as_str().trim_end_matches('/')
        )
    }
}

/// Bounds an HTTP listener puts on its clients, so that a client sending one byte at a
/// time (slowloris) or many idle connections cannot hold the server's tasks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpLimits {
    /// A connection must deliver a request's headers within this time from when it starts
    /// waiting for one; it also bounds an idle keep-alive connection.
    pub header_read_timeout_secs: u64,
    /// A request's body must arrive whole within this time (408 otherwise).
    pub body_read_timeout_secs: u64,
    /// Connections served at once; more wait in the accept queue.
    pub max_connections: usize,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            header_read_timeout_secs: 10,
            body_read_timeout_secs: 30,
            max_connections: 1024,
        }
    }
}

impl HttpLimits {
    pub fn header_read_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.header_read_timeout_secs.max(1))
    }

    pub fn body_read_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.body_read_timeout_secs.max(1))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SinkConfig {
    /// Kafka consumer group; run more sinks with the same group to scale out.
    pub group_id: String,
    /// A batch is written when it holds this many rows…
    pub max_rows: usize,
    /// …or this many bytes of Kafka payload…
    pub max_bytes: usize,
    /// …or its first message is this old.
    pub max_wait_ms: u64,
    /// First wait after a failed ClickHouse insert; doubles up to `retry_max_ms`.
    pub retry_initial_ms: u64,
    pub retry_max_ms: u64,
    /// Where the sink serves `/metrics` when it runs on its own.
    pub metrics_listen: SocketAddr,
    /// How often the sink measures the group's lag on every partition of the topics.
    pub group_check_secs: u64,
    /// A partition of another member with messages waiting and no commit for this long makes
    /// the sink leave and rejoin its group, so the coordinator assigns it again.
    pub stall_rebalance_secs: u64,
}

impl Default for SinkConfig {
    fn default() -> Self {
        SinkConfig {
            group_id: "civicpulse-sink".into(),
            max_rows: 50_000,
            max_bytes: 16 * 1024 * 1024,
            max_wait_ms: 1000,
            retry_initial_ms: 200,
            retry_max_ms: 10_000,
            metrics_listen: "127.0.0.1:9101".parse().expect("literal address"),
            group_check_secs: 5,
            stall_rebalance_secs: 30,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AggregatorConfig {
    /// Seconds between aggregation runs (`civicpulse aggregator`, and inside `run`).
    pub interval_secs: u64,
    /// Where `civicpulse aggregator` serves `/metrics` (run durations, last success).
    pub metrics_listen: SocketAddr,
    /// How far back the rollups find the days to recompute in the change log: a response's
    /// day is recomputed when its case closes up to this many days later (its SLA outcome),
    /// and an aggregator stopped this long catches up without missing a change. The change
    /// log and the raw events must be kept at least this long (`retention`).
    pub look_back_days: u32,
    /// The themes model comments are read with (`civicpulse themes train --out`); none: the
    /// catalog's seed phrases. A file that cannot be loaded stops the aggregator at start.
    pub themes_model: Option<PathBuf>,
}

impl Default for AggregatorConfig {
    fn default() -> Self {
        AggregatorConfig {
            interval_secs: 60,
            metrics_listen: "127.0.0.1:9102".parse().expect("literal address"),
            look_back_days: 56,
            themes_model: None,
        }
    }
}

/// How the quality matrix judges its figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MatrixConfig {
    /// Small-cell suppression: a figure resting on fewer observations (responses, cases,
    /// transactions) is never shown, and a segment group with fewer responses never enters
    /// an equity gap.
    pub min_responses: u64,
    /// Amber band: a figure within this fraction of its reference (target, else peer
    /// benchmark) on the wrong side is amber rather than red.
    pub amber_tolerance: f64,
    /// Days before and after an intervention that its evaluation compares (shortened to
    /// equal windows while the "after" one is still filling).
    pub intervention_window_days: u32,
    /// The name of `intervention_window_days` until issue 23, still read for one release
    /// (deprecated); `Config::load` moves it there.
    #[serde(skip_serializing)]
    innovation_window_days: Option<u32>,
}

impl Default for MatrixConfig {
    fn default() -> Self {
        MatrixConfig {
            min_responses: 10,
            amber_tolerance: 0.05,
            intervention_window_days: 28,
            innovation_window_days: None,
        }
    }
}

/// A language reports are written in.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::EnumIter,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Language {
    En,
    Fr,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::En, Language::Fr];

    /// The `lang` attribute and folder name.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// From a page's or a request's language tag, forgivingly (`fr-CA`, `FR`): anything
    /// but French, or none, is English. Configuration is read strictly instead (`FromStr`).
    pub fn from_code(code: Option<&str>) -> Language {
        match code.map(|c| c.get(..2).unwrap_or(c).to_ascii_lowercase()) {
            Some(c) if c == "fr" => Language::Fr,
            _ => Language::En,
        }
    }
}

/// How often a scheduled report covers a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportEvery {
    /// The previous month, on the Nth business day of each month.
    Monthly,
    /// The previous quarter, on the Nth business day of the quarter's first month.
    Quarterly,
}

/// One `[[reports.schedules]]` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSchedule {
    pub every: ReportEvery,
    /// Which business day of the month (1 = the first) the report is due on, in the
    /// first catalog service's calendar.
    #[serde(default = "first_business_day")]
    pub business_day: u32,
}

fn first_business_day() -> u32 {
    1
}

/// Periodic reports: where they go, who may read them, how they are printed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReportsConfig {
    /// Scheduled runs write to `<dir>/<period>/<lang>/`.
    pub dir: PathBuf,
    pub languages: Vec<Language>,
    /// Whether `/reports/…` and `/api/v1/reports…` are open to anyone (default: they need
    /// a read token, like the rest of the API).
    pub public: bool,
    /// Chromium to print PDFs with (default: `chromium` on PATH).
    pub chromium: Option<PathBuf>,
    /// Prometheus to read consumer lag and dead letters from, for the report's method notes.
    pub prometheus_url: Option<String>,
    pub schedules: Vec<ReportSchedule>,
    /// Seconds before a failed scheduled run is tried again.
    pub retry_secs: u64,
    /// How many of each schedule's latest periods (the latest due one included) are
    /// regenerated after publication, to catch late events dated in them: a period whose
    /// figures changed is published again as a revision beside the first. 0: never.
    pub recheck_periods: u32,
    /// Seconds between two re-checks of one published period and language.
    pub recheck_secs: u64,
}

impl Default for ReportsConfig {
    fn default() -> Self {
        ReportsConfig {
            dir: PathBuf::from("reports"),
            languages: Language::ALL.to_vec(),
            public: false,
            chromium: None,
            prometheus_url: Some("http://127.0.0.1:9090".into()),
            schedules: Vec::new(),
            retry_secs: 300,
            recheck_periods: 3,
            recheck_secs: 86_400,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DashboardConfig {
    pub listen: SocketAddr,
    /// Bearer tokens of `/api/v1/*`, each with a role, an optional scope and expiry (health
    /// and readiness are open; `/metrics` too unless `protect_metrics`). None: every
    /// `/api/v1` request is refused.
    pub tokens: Vec<Token>,
    /// `/metrics` needs a token too, and a scoped token's scrape holds only its services.
    pub protect_metrics: bool,
    /// Comments one token may read in 24 hours before `CommentsReadInBulk` alerts: reading
    /// is never refused (a service team may have good reason), but a privacy office hears
    /// of it.
    pub comments_read_limit_per_day: u64,
    /// How long a computed matrix, time series or intervention answer is served from memory.
    pub cache_secs: u64,
    /// Bounds on slow or greedy clients.
    pub limits: HttpLimits,
}

impl Default for DashboardConfig {
    fn default() -> Self {
        DashboardConfig {
            listen: "127.0.0.1:8090".parse().expect("literal address"),
            tokens: Vec::new(),
            protect_metrics: false,
            comments_read_limit_per_day: 1000,
            cache_secs: 60,
            limits: HttpLimits::default(),
        }
    }
}

/// `<name>_file`'s content into `secret`: given both ways, the setting is ambiguous.
fn read_secret_file(
    name: &str,
    secret: &mut Secret,
    file: Option<PathBuf>,
) -> Result<(), ConfigError> {
    let Some(file) = file else { return Ok(()) };
    if !secret.is_empty() {
        return Err(ConfigError::Invalid(format!(
            "{name} and {name}_file are both set; keep one"
        )));
    }
    *secret = Secret::read(&file)
        .map_err(|e| ConfigError::Invalid(format!("{name}_file {}: {e}", file.display())))?;
    Ok(())
}

fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.chars().all(|c| c.is_ascii_hexdigit())
}

/// `CIVICPULSE_*` variables that belong to the command line or the scripts (`scripts/servers.sh`
/// reads `CIVICPULSE_DEV_DIR`), not to the configuration.
const CLI_VARIABLES: &[&str] = &["config", "simulator_key", "dev_dir"];

impl Config {
    /// Defaults, then the TOML file (if given; it must exist), then `CIVICPULSE_*` variables.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = path {
            if !path.exists() {
                return Err(ConfigError::Invalid(format!(
                    "config file {} does not exist",
                    path.display()
                )));
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        let mut config: Config = figment
            .merge(
                Env::prefixed("CIVICPULSE_")
                    .split("__")
                    .ignore(CLI_VARIABLES),
            )
            .extract()
            .map_err(|e| ConfigError::Load(Box::new(e)))?;
        if let Some(days) = config.matrix.innovation_window_days.take() {
            config.matrix.intervention_window_days = days;
        }
        read_secret_file(
            "clickhouse.password",
            &mut config.clickhouse.password,
            config.clickhouse.password_file.take(),
        )?;
        read_secret_file(
            "gateway.invitations.secret",
            &mut config.gateway.invitations.secret,
            config.gateway.invitations.secret_file.take(),
        )?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> Result<(), ConfigError> {
        if self.kafka.partitions < 1 {
            return Err(ConfigError::Invalid(
                "kafka.partitions must be at least 1".into(),
            ));
        }
        if self.sink.max_rows == 0 || self.sink.max_bytes == 0 {
            return Err(ConfigError::Invalid(
                "sink.max_rows and sink.max_bytes must be positive".into(),
            ));
        }
        for token in &self.dashboard.tokens {
            if !crate::access::is_token_name(&token.name) {
                return Err(ConfigError::Invalid(format!(
                    "dashboard.tokens: `{}` cannot name a token: use 1 to 64 letters, digits, \
                     `.`, `_` or `-`",
                    token.name
                )));
            }
            if !is_sha256_hex(&token.sha256) {
                return Err(ConfigError::Invalid(format!(
                    "dashboard.tokens: the token of `{}` must be a 64-digit hex SHA-256",
                    token.name
                )));
            }
        }
        let mut names = std::collections::HashSet::new();
        if let Some(token) = self
            .dashboard
            .tokens
            .iter()
            .find(|t| !names.insert(&t.name))
        {
            return Err(ConfigError::Invalid(format!(
                "dashboard.tokens: two tokens are named `{}`; the name is how logs and the audit \
                 tell them apart",
                token.name
            )));
        }
        if !(0.0..1.0).contains(&self.matrix.amber_tolerance) {
            return Err(ConfigError::Invalid(
                "matrix.amber_tolerance must be in [0, 1)".into(),
            ));
        }
        let base = &self.gateway.public_base_url;
        if !matches!(base.scheme(), "http" | "https") || base.host().is_none() {
            return Err(ConfigError::Invalid(format!(
                "gateway.public_base_url must be an absolute http(s) URL, not `{base}`"
            )));
        }
        // The widget, the form and the survey link to the gateway's own paths from the root.
        if base.path() != "/" || base.query().is_some() || base.fragment().is_some() {
            return Err(ConfigError::Invalid(format!(
                "gateway.public_base_url must be an origin without a path (the gateway's pages \
                 are served from the root), not `{base}`"
            )));
        }
        self.retention
            .check(&self.aggregator, &self.reports)
            .map_err(ConfigError::Invalid)?;
        for key in &self.gateway.api_keys {
            if !is_sha256_hex(&key.sha256) {
                return Err(ConfigError::Invalid(format!(
                    "gateway.api_keys: the key of source `{}` must be a 64-digit hex SHA-256",
                    key.source
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
// figment's `Jail` closures must return its (large) error type.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;
    use figment::Jail;

    #[test]
    fn file_then_environment_override_defaults() {
        Jail::expect_with(|jail| {
            jail.create_file(
                "civicpulse.toml",
                r#"
                [kafka]
                brokers = "k1:9092"
                partitions = 3
                [sink]
                max_rows = 10
                "#,
            )?;
            jail.set_env("CIVICPULSE_KAFKA__PARTITIONS", "12");
            let config = Config::load(Some(Path::new("civicpulse.toml"))).unwrap();
            assert_eq!(config.kafka.brokers, "k1:9092");
            assert_eq!(config.kafka.partitions, 12);
            assert_eq!(config.sink.max_rows, 10);
            assert_eq!(config.sink.max_wait_ms, SinkConfig::default().max_wait_ms);
            Ok(())
        });
    }

    #[test]
    fn secrets_come_from_a_file_or_the_environment_and_never_print() {
        Jail::expect_with(|jail| {
            jail.create_file("password.txt", "from-a-file\n")?;
            jail.create_file(
                "civicpulse.toml",
                "[clickhouse]\npassword_file = \"password.txt\"\n",
            )?;
            jail.set_env(
                "CIVICPULSE_GATEWAY__INVITATIONS__SECRET",
                "from-the-environment",
            );
            let config = Config::load(Some(Path::new("civicpulse.toml"))).unwrap();
            assert_eq!(config.clickhouse.password.expose(), "from-a-file");
            assert_eq!(
                config.gateway.invitations.secret.expose(),
                "from-the-environment"
            );
            let printed = format!("{config:?}");
            assert!(!printed.contains("from-a-file"), "{printed}");
            assert!(!printed.contains("from-the-environment"));

            jail.set_env("CIVICPULSE_CLICKHOUSE__PASSWORD", "both");
            let error = Config::load(Some(Path::new("civicpulse.toml"))).unwrap_err();
            assert!(
                error
                    .to_string()
                    .contains("clickhouse.password and clickhouse.password_file"),
                "{error}"
            );
            Ok(())
        });
    }

    #[test]
    fn command_line_variables_are_not_configuration() {
        Jail::expect_with(|jail| {
            jail.set_env("CIVICPULSE_CONFIG", "elsewhere.toml");
            jail.set_env("CIVICPULSE_SIMULATOR_KEY", "k");
            jail.set_env("CIVICPULSE_DEV_DIR", "/tmp/elsewhere");
            assert!(Config::load(None).is_ok());
            Ok(())
        });
    }

    #[test]
    fn a_misspelt_key_is_an_error_not_a_silent_default() {
        Jail::expect_with(|jail| {
            jail.create_file("civicpulse.toml", "[sink]\nmax_row = 10\n")?;
            let error = Config::load(Some(Path::new("civicpulse.toml"))).unwrap_err();
            assert!(error.to_string().contains("max_row"), "{error}");
            Ok(())
        });
    }

    #[test]
    fn the_old_innovation_window_key_still_reads_as_the_intervention_window() {
        Jail::expect_with(|jail| {
            jail.create_file("civicpulse.toml", "[matrix]\ninnovation_window_days = 14\n")?;
            let config = Config::load(Some(Path::new("civicpulse.toml"))).unwrap();
            assert_eq!(config.matrix.intervention_window_days, 14);
            Ok(())
        });
    }

    #[test]
    fn an_api_key_must_be_stored_hashed() {
        Jail::expect_with(|jail| {
            jail.create_file(
                "civicpulse.toml",
                "[[gateway.api_keys]]\nsource = \"x\"\nsha256 = \"plain-key\"\n",
            )?;
            assert!(Config::load(Some(Path::new("civicpulse.toml"))).is_err());
            Ok(())
        });
    }

    #[test]
    fn the_public_base_url_must_be_an_absolute_http_url() {
        for (value, valid) in [
            ("https://feedback.example.gov", true),
            ("http://127.0.0.1:8080/", true),
            ("feedback.example.gov", false),
            ("/feedback", false),
            ("ftp://feedback.example.gov", false),
            ("mailto:feedback@example.gov", false),
            ("https://feedback.example.gov/civic/", false),
        ] {
            Jail::expect_with(|jail| {
                jail.create_file(
                    "civicpulse.toml",
                    &format!("[gateway]\npublic_base_url = \"{value}\"\n"),
                )?;
                let loaded = Config::load(Some(Path::new("civicpulse.toml")));
                assert_eq!(loaded.is_ok(), valid, "{value}: {loaded:?}");
                if !valid {
                    let error = loaded.unwrap_err().to_string();
                    assert!(error.contains("public_base_url"), "{error}");
                }
                Ok(())
            });
        }
        assert_eq!(
            Config::default().gateway.public_base_url.as_str(),
            "http://127.0.0.1:8080/"
        );
    }

    #[test]
    fn the_public_origin_and_links_come_from_the_public_base_url() {
        let gateway = GatewayConfig {
            public_base_url: "https://Feedback.example.gov:443/".parse().unwrap(),
            ..GatewayConfig::default()
        };
        // As a browser sends it in `Origin`: lower-case host, default port left out.
        assert_eq!(gateway.public_origin(), "https://feedback.example.gov");
        assert_eq!(
            gateway.public_url("/s/abc"),
            "https://feedback.example.gov/s/abc"
        );
        let local = GatewayConfig::default();
        assert_eq!(local.public_origin(), "http://127.0.0.1:8080");
        assert_eq!(local.public_url("/s/abc"), "http://127.0.0.1:8080/s/abc");
    }

    #[test]
    fn a_retention_shorter_than_a_job_needs_does_not_load() {
        Jail::expect_with(|jail| {
            jail.create_file(
                "civicpulse.toml",
                "[aggregator]\nlook_back_days = 60\n[retention]\nchange_log_days = 30\n",
            )?;
            let error = Config::load(Some(Path::new("civicpulse.toml")))
                .unwrap_err()
                .to_string();
            assert!(
                error.contains("retention.change_log_days (30 days)")
                    && error.contains("aggregator.look_back_days (60 days)"),
                "{error}"
            );
            Ok(())
        });
    }

    #[test]
    fn the_checked_in_example_config_loads() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/civicpulse.toml");
        Config::load(Some(&path)).unwrap();
    }

    #[test]
    fn topics_follow_the_prefix() {
        let kafka = KafkaConfig::default();
        assert_eq!(kafka.topic(EventKind::Feedback), "civicpulse.feedback.v1");
        assert_eq!(kafka.dead_letter_topic(), "civicpulse.dead-letter.v1");
    }
}
