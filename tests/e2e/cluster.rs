//! The replicated, sharded ClickHouse that `scripts/cluster-up` starts (ZooKeeper and
//! 2 shards × 2 replicas of Debian's 18.16; `scripts/test` starts it): replicated tables
//! under a `Distributed` one take a synchronous distributed insert, each shard keeps its
//! share on both replicas, and the same key always reaches the same shard, so replays still
//! collapse under `FINAL`. The groundwork for the project's cluster mode (issue 13).

use std::time::Duration;

use civicpulse_testkit::cluster::Layout;

use crate::support::*;

/// The layout `scripts/cluster-up` starts by default.
fn layout() -> Layout {
    Layout::local("civicpulse", 2, 2, 19000)
}

/// Cluster mode on `layout`'s cluster, its `ALTER`s through the alter cluster (one replica
/// per shard), as an operator configures it.
fn in_cluster_mode(config: &mut civicpulse_core::Config, layout: &Layout) {
    config.clickhouse.cluster = layout.name.clone();
    config.clickhouse.alter_cluster = layout.alter_cluster();
}

/// Drops a test's database from every replica.
async fn drop_on_cluster(http: &reqwest::Client, port: u16, database: &str) {
    on(
        http,
        port,
        &format!("DROP DATABASE {database} ON CLUSTER civicpulse"),
    )
    .await;
}

/// An answer's rows in a stable order, without the moment each side computed them.
fn comparable(mut answer: serde_json::Value) -> Vec<String> {
    let mut rows: Vec<String> = answer
        .as_array_mut()
        .expect("an array of rows")
        .iter_mut()
        .map(|row| {
            if let Some(row) = row.as_object_mut() {
                row.remove("computed_at");
            }
            row.to_string()
        })
        .collect();
    rows.sort();
    rows
}

async fn on(http: &reqwest::Client, port: u16, sql: &str) -> String {
    let response = http
        .post(format!(
            "http://127.0.0.1:{port}/?insert_distributed_sync=1"
        ))
        .body(sql.to_string())
        .send()
        .await
        .unwrap_or_else(|e| panic!("ClickHouse on {port}: {e}"));
    let status = response.status();
    let text = response.text().await.unwrap();
    assert!(status.is_success(), "{sql}\non {port}: {text}");
    text
}

#[tokio::test(flavor = "multi_thread")]
async fn the_local_cluster_replicates_each_shard_and_keeps_a_key_on_one_shard() {
    let layout = layout();
    for replica in &layout.replicas {
        let address = format!("127.0.0.1:{}", replica.ports.http);
        assert!(
            answers_tcp(&address),
            "ClickHouse {} is not answering on {address}: run the suite with scripts/test, which starts the cluster (scripts/cluster-up)",
            replica.name()
        );
    }
    let http = reqwest::Client::new();
    let first = layout.replicas[0].ports.http;
    let database = format!(
        "e2e_cluster_{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    on(
        &http,
        first,
        &format!("CREATE DATABASE {database} ON CLUSTER civicpulse"),
    )
    .await;
    on(
        &http,
        first,
        &format!(
            "CREATE TABLE {database}.events_local ON CLUSTER civicpulse (event_id UInt64, version UInt32) \
             ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{{shard}}/{database}/events', '{{replica}}', version) \
             ORDER BY event_id"
        ),
    )
    .await;
    on(
        &http,
        first,
        &format!(
            "CREATE TABLE {database}.events ON CLUSTER civicpulse AS {database}.events_local \
             ENGINE = Distributed(civicpulse, {database}, events_local, intHash64(event_id))"
        ),
    )
    .await;
    // 1000 events, then 300 of them again (a replay): 1000 distinct under FINAL.
    on(
        &http,
        first,
        &format!("INSERT INTO {database}.events SELECT number, 1 FROM system.numbers LIMIT 1000"),
    )
    .await;
    let last = layout.replicas[3].ports.http;
    on(
        &http,
        last,
        &format!("INSERT INTO {database}.events SELECT number, 2 FROM system.numbers LIMIT 300"),
    )
    .await;

    let count = |port: u16, table: &'static str| {
        let http = http.clone();
        let database = database.clone();
        async move {
            on(
                &http,
                port,
                &format!("SELECT count() FROM {database}.{table} FINAL"),
            )
            .await
            .trim()
            .parse::<u64>()
            .unwrap()
        }
    };
    let mut per_shard = Vec::new();
    for shard in [1, 2] {
        let replicas: Vec<u16> = layout
            .replicas
            .iter()
            .filter(|r| r.shard == shard)
            .map(|r| r.ports.http)
            .collect();
        wait_until(
            "both replicas of a shard hold its rows",
            Duration::from_secs(30),
            || {
                let replicas = replicas.clone();
                let count = &count;
                async move {
                    let a = count(replicas[0], "events_local").await;
                    let b = count(replicas[1], "events_local").await;
                    a == b && a > 0
                }
            },
        )
        .await;
        per_shard.push(count(replicas[0], "events_local").await);
    }
    assert_eq!(per_shard.iter().sum::<u64>(), 1000);
    // Replication is asynchronous: once both replicas agree, any one answers for its shard.
    assert_eq!(
        count(first, "events").await,
        1000,
        "a replayed key stays on its shard"
    );
    assert!(
        per_shard.iter().all(|n| (400..=600).contains(n)),
        "spread evenly: {per_shard:?}"
    );
    drop_on_cluster(&http, first, &database).await;
}

/// The project's own tables on the cluster (`[clickhouse] cluster`): migrations run `ON
/// CLUSTER`, every table is a replicated one on each replica under a `Distributed` one,
/// and N valid events with replays store exactly N distinct, each shard's on both replicas.
#[tokio::test(flavor = "multi_thread")]
async fn events_with_replays_are_stored_exactly_once_on_the_cluster() {
    require_shared_servers();
    let layout = layout();
    let first = layout.replicas[0].ports.http;
    let mut pipeline = Pipeline::new(Settings {
        clickhouse: format!("http://127.0.0.1:{first}"),
        ..Settings::default()
    });
    pipeline.edit_config(|config| in_cluster_mode(config, &layout));
    pipeline.migrate();
    pipeline.migrate();
    let http = reqwest::Client::new();
    for replica in &layout.replicas {
        let tables = on(
            &http,
            replica.ports.http,
            &format!(
                "SELECT engine, count() FROM system.tables WHERE database = '{}' GROUP BY engine ORDER BY engine FORMAT TSV",
                pipeline.database
            ),
        )
        .await;
        assert!(
            tables
                == "Distributed\t21\nMaterializedView\t7\nReplicatedMergeTree\t6\nReplicatedReplacingMergeTree\t15\n",
            "{}: {tables}",
            replica.name()
        );
        // The ALTERs ran on one replica per shard (the alter cluster); the other replica
        // of each shard has the columns through replication, under its Distributed table.
        let added = on(
            &http,
            replica.ports.http,
            &format!(
                "SELECT table, count() FROM system.columns WHERE database = '{}' \
                 AND table IN ('sla_cases_local', 'sla_cases') \
                 AND name IN ('region', 'first_at', 'payment_due') GROUP BY table ORDER BY table FORMAT TSV",
                pipeline.database
            ),
        )
        .await;
        assert_eq!(
            added,
            "sla_cases\t3\nsla_cases_local\t3\n",
            "{}",
            replica.name()
        );
    }
    let _gateway = pipeline.start_gateway("gateway").await;
    let _sink = pipeline.spawn("sink");
    let mix = valid_mix(600);
    let (status, body) = pipeline.post(&mix.events[..400]).await;
    assert_eq!(status, 200, "{body}");
    // A client retry: the rest plus 100 already sent.
    let mut again: Vec<serde_json::Value> = mix.events[400..].to_vec();
    again.extend(mix.events[..100].iter().cloned());
    let (status, body) = pipeline.post(&again).await;
    assert_eq!(status, 200, "{body}");
    pipeline.wait_counts(&mix, Duration::from_secs(90)).await;
    // Each shard holds its share on both replicas, and the two shards hold all of it.
    let mut per_shard = Vec::new();
    for shard in [1, 2] {
        let replicas: Vec<u16> = layout
            .replicas
            .iter()
            .filter(|r| r.shard == shard)
            .map(|r| r.ports.http)
            .collect();
        let sql = format!(
            "SELECT count() FROM {}.feedback_local FINAL",
            pipeline.database
        );
        let mut counts = (0, 1);
        for _ in 0..60 {
            counts = (
                on(&http, replicas[0], &sql)
                    .await
                    .trim()
                    .parse::<u64>()
                    .unwrap(),
                on(&http, replicas[1], &sql)
                    .await
                    .trim()
                    .parse::<u64>()
                    .unwrap(),
            );
            if counts.0 == counts.1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        assert_eq!(counts.0, counts.1, "shard {shard}'s replicas agree");
        per_shard.push(counts.0);
    }
    assert_eq!(per_shard.iter().sum::<u64>(), mix.feedback, "{per_shard:?}");
    assert!(
        per_shard.iter().all(|n| *n > 0),
        "both shards take events: {per_shard:?}"
    );
    drop_on_cluster(&http, first, &pipeline.database).await;
}

/// The aggregator on the cluster: for the same generated events, the SLA evaluation and
/// the rollups answer exactly what a single node answers, figure for figure.
#[tokio::test(flavor = "multi_thread")]
async fn the_cluster_answers_the_single_nodes_figures_for_the_same_events() {
    require_shared_servers();
    let layout = layout();
    let catalog = civicpulse_core::Catalog::load(&repo_root().join("catalog.toml")).unwrap();
    let world = crate::matrix::generate(&catalog, 11, 25);
    let mut single = Pipeline::new(Settings::default());
    crate::matrix::load(&mut single, &world).await;
    let _single_api = single.start_dashboard().await;
    let first = layout.replicas[0].ports.http;
    let mut cluster = Pipeline::new(Settings {
        clickhouse: format!("http://127.0.0.1:{first}"),
        ..Settings::default()
    });
    cluster.edit_config(|config| in_cluster_mode(config, &layout));
    crate::matrix::load(&mut cluster, &world).await;
    let _cluster_api = cluster.start_dashboard().await;

    for path in [
        "/api/v1/matrix?period=2026-09",
        "/api/v1/matrix?period=2026-08",
        "/api/v1/matrix?period=2026-09&group_by=channel",
        "/api/v1/matrix?period=2026-09&group_by=age_band",
        "/api/v1/sla/summary?from=2026-08-01&to=2026-11-01",
        "/api/v1/sla/cases?limit=1000",
        "/api/v1/timeseries?metric=sla_compliance&from=2026-08-01&to=2026-11-01&interval=week",
    ] {
        let (status, expected) = single.api_get(path).await;
        assert_eq!(status, 200, "{path}: {expected}");
        let (status, answered) = cluster.api_get(path).await;
        assert_eq!(status, 200, "{path} on the cluster: {answered}");
        let (expected, answered) = (comparable(expected), comparable(answered));
        assert!(!expected.is_empty(), "{path}: nothing to compare");
        assert_eq!(answered, expected, "{path}: the cluster differs");
    }
    let http = reqwest::Client::new();
    drop_on_cluster(&http, first, &cluster.database).await;
}

/// Two aggregators at once (two `run` processes kept for availability): for the same
/// events, their concurrent runs leave exactly the figures one run leaves — nothing
/// doubled, nothing lost.
#[tokio::test(flavor = "multi_thread")]
async fn two_aggregators_at_once_leave_the_figures_of_one() {
    require_shared_servers();
    let catalog = civicpulse_core::Catalog::load(&repo_root().join("catalog.toml")).unwrap();
    let world = crate::matrix::generate(&catalog, 13, 25);
    let mut one = Pipeline::new(Settings::default());
    crate::matrix::load(&mut one, &world).await;
    let _one_api = one.start_dashboard().await;

    let mut two = Pipeline::new(Settings::default());
    two.migrate();
    let _gateway = two.start_gateway("gateway").await;
    let _sink = two.spawn("sink");
    two.client().post_all(&world.events, 500).await;
    for (kind, table) in [
        ("offered", "offered"),
        ("milestone", "milestones"),
        ("feedback", "feedback"),
    ] {
        let expected = world.events.iter().filter(|e| e["kind"] == kind).count() as u64;
        two.wait_count(table, expected, Duration::from_secs(90))
            .await;
    }
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let first = two.spawn("aggregate");
    let second = two.spawn("aggregate");
    first.wait_success();
    second.wait_success();
    // And a third run after both, as the next interval would: still the same figures.
    two.spawn("aggregate").wait_success();
    let _two_api = two.start_dashboard().await;

    for path in [
        "/api/v1/matrix?period=2026-09",
        "/api/v1/matrix?period=2026-09&group_by=region",
        "/api/v1/sla/summary?from=2026-08-01&to=2026-11-01",
        "/api/v1/sla/cases?limit=1000",
    ] {
        let (_, expected) = one.api_get(path).await;
        let (_, answered) = two.api_get(path).await;
        let (expected, answered) = (comparable(expected), comparable(answered));
        assert!(!expected.is_empty(), "{path}");
        assert_eq!(
            answered, expected,
            "{path}: two aggregators differ from one"
        );
    }
}

/// Retention and erasure on the cluster as on one node: an expired month leaves every
/// replica of every shard, and so does every row of an erased case, while the rollup of the
/// expired month keeps its figures.
#[tokio::test(flavor = "multi_thread")]
async fn retention_and_erasure_reach_every_replica() {
    require_shared_servers();
    let layout = layout();
    let first = layout.replicas[0].ports.http;
    let mut pipeline = Pipeline::new(Settings {
        clickhouse: format!("http://127.0.0.1:{first}"),
        min_responses: 1,
        ..Settings::default()
    });
    pipeline.edit_config(|config| {
        in_cluster_mode(config, &layout);
        config.retention.raw_events_days = 4000;
        config.retention.event_versions_days = 4000;
    });
    pipeline.migrate();
    let http = reqwest::Client::new();
    let db = pipeline.database.clone();
    // Responses of January 2019 (past 7 years) spread over both shards by their ids, and
    // two March 2026 cases, one to erase.
    let mut values = Vec::new();
    for _ in 0..6 {
        values.push(format!(
            "('{}', 'passport-in-person', 'in_person', '', '', '2019-01-15 12:00:00', '2019-01-15 12:00:00', 'e2e', 4, 0)",
            uuid::Uuid::new_v4()
        ));
    }
    for case in ["CLUSTER-ERASE-51", "CLUSTER-KEEP-52"] {
        values.push(format!(
            "('{}', 'passport-in-person', 'in_person', '', '{case}', '2026-03-17 16:00:00', '2026-03-17 16:00:00', 'e2e', 3, 0)",
            uuid::Uuid::new_v4()
        ));
        for (milestone, at) in [
            ("complete", "2026-03-02 17:00:00"),
            ("dispatched", "2026-03-16 16:00:00"),
        ] {
            on(
                &http,
                first,
                &format!(
                    "INSERT INTO {db}.milestones (event_id, service_id, case_ref, milestone, channel, region, outcome, occurred_at, received_at, source) \
                     VALUES ('{}', 'passport-in-person', '{case}', '{milestone}', 'in_person', '', '', '{at}', '{at}', 'e2e')",
                    uuid::Uuid::new_v4()
                ),
            )
            .await;
        }
    }
    on(
        &http,
        first,
        &format!(
            "INSERT INTO {db}.feedback (event_id, service_id, channel, stage, case_ref, occurred_at, received_at, source, satisfaction, has_comment) VALUES {}",
            values.join(", ")
        ),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    pipeline.spawn("aggregate").wait_success();
    let rollup = format!(
        "SELECT sum(responses) FROM {db}.matrix_feedback_daily FINAL \
         WHERE service_id = 'passport-in-person' AND group_kind = 'all' AND day = '2019-01-15'"
    );
    assert_eq!(on(&http, first, &rollup).await.trim(), "6");

    pipeline.edit_config(|config| config.retention = Default::default());
    let output = pipeline.spawn("aggregate").wait_success();
    assert!(
        output.contains("retention raw_events: 6 rows removed"),
        "{output}"
    );
    let output = pipeline
        .spawn_args(
            &[
                "erase",
                "--case-ref",
                "CLUSTER-ERASE-51",
                "--requested-by",
                "e2e",
            ],
            &[],
        )
        .wait_success();
    assert!(output.contains("milestones: 2 rows erased"), "{output}");
    assert_eq!(
        on(&http, first, &rollup).await.trim(),
        "6",
        "the rollup keeps its figures"
    );

    // Every replica, the second of each shard through replication.
    let tables: Vec<&str> = civicpulse_store::tables::ALL
        .iter()
        .map(|t| t.name)
        .collect();
    for replica in &layout.replicas {
        let port = replica.ports.http;
        let db = db.clone();
        let tables = tables.clone();
        let http = http.clone();
        wait_until(
            &format!("{}: no expired month, no erased case", replica.name()),
            Duration::from_secs(60),
            || {
                let (db, tables, http) = (db.clone(), tables.clone(), http.clone());
                async move {
                    let old = on(
                        &http,
                        port,
                        &format!(
                            "SELECT count() FROM {db}.feedback_local WHERE occurred_at < toDateTime('2020-01-01 00:00:00')"
                        ),
                    )
                    .await;
                    if old.trim() != "0" {
                        return false;
                    }
                    for table in &tables {
                        let rows = on(
                            &http,
                            port,
                            &format!("SELECT * FROM {db}.{table}_local FORMAT TSV"),
                        )
                        .await;
                        if rows.contains("CLUSTER-ERASE-51") {
                            return false;
                        }
                    }
                    true
                }
            },
        )
        .await;
    }
    let kept = on(
        &http,
        first,
        &format!("SELECT count() FROM {db}.milestones WHERE case_ref = 'CLUSTER-KEEP-52'"),
    )
    .await;
    assert_eq!(kept.trim(), "2", "the other case stays");
    drop_on_cluster(&http, first, &db).await;
}

/// A private cluster and a pipeline on it, migrated, with a gateway and a sink.
async fn pipeline_on_a_private_cluster(dir: &std::path::Path) -> (PrivateCluster, Pipeline) {
    let cluster = PrivateCluster::start(dir).await;
    let pipeline = Pipeline::new(Settings {
        clickhouse: cluster.url(),
        ..Settings::default()
    });
    pipeline.edit_config(|config| in_cluster_mode(config, &cluster.layout));
    (cluster, pipeline)
}

/// Every replica's rows of `table` agree with its shard partner's and add up to `expected`.
async fn replicas_agree(cluster: &PrivateCluster, database: &str, table: &str, expected: u64) {
    wait_until(
        "every replica to hold its shard's rows",
        Duration::from_secs(90),
        || async {
            let mut counts = Vec::new();
            for index in 0..4 {
                counts.push(
                    cluster
                        .local_count(index, database, table)
                        .await
                        .unwrap_or(u64::MAX),
                );
            }
            counts[0] == counts[1] && counts[2] == counts[3] && counts[0] + counts[2] == expected
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_replica_killed_mid_ingest_loses_nothing_and_catches_up() {
    require_shared_servers();
    let dir = tempfile::tempdir().unwrap();
    let (mut cluster, mut pipeline) = pipeline_on_a_private_cluster(dir.path()).await;
    pipeline.migrate();
    let _gateway = pipeline.start_gateway("gateway").await;
    let _sink = pipeline.spawn("sink");
    let mix = valid_mix(2000);
    pipeline.client().post_all(&mix.events[..700], 100).await;
    // Shard 2's first replica, the one its inserts go to, dies mid-ingest.
    cluster.kill(2);
    pipeline.client().post_all(&mix.events[700..], 100).await;
    pipeline.wait_counts(&mix, Duration::from_secs(120)).await;
    cluster.restart(2).await;
    replicas_agree(&cluster, &pipeline.database, "feedback", mix.feedback).await;
    replicas_agree(&cluster, &pipeline.database, "milestones", mix.milestones).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_whole_shard_down_holds_the_sink_back_until_it_returns() {
    require_shared_servers();
    let dir = tempfile::tempdir().unwrap();
    let (mut cluster, mut pipeline) = pipeline_on_a_private_cluster(dir.path()).await;
    pipeline.migrate();
    let _gateway = pipeline.start_gateway("gateway").await;
    let sink = pipeline.spawn("sink");
    let mix = valid_mix(1500);
    pipeline.client().post_all(&mix.events[..500], 100).await;
    wait_until("the first rows", Duration::from_secs(60), || async {
        pipeline.count("feedback").await > 0
    })
    .await;
    cluster.kill(2);
    cluster.kill(3);
    pipeline.client().post_all(&mix.events[500..], 100).await;
    // The sink retries, never drops; the backlog it has not stored shows as lag.
    let port = pipeline.sink_metrics_port;
    wait_until(
        "failed inserts and a backlog",
        Duration::from_secs(60),
        || async {
            let metrics = pipeline.metrics(port).await;
            metric_total(&metrics, "civicpulse_sink_insert_failures_total") >= 1.0
                && metric_total(&metrics, "civicpulse_sink_group_lag") > 0.0
        },
    )
    .await;
    cluster.restart(2).await;
    cluster.restart(3).await;
    pipeline.wait_counts(&mix, Duration::from_secs(120)).await;
    assert!(sink.log_text().contains("write failed; retrying"));
    replicas_agree(&cluster, &pipeline.database, "feedback", mix.feedback).await;
}

/// The sum of every series of `name` in a Prometheus exposition.
fn metric_total(exposition: &str, name: &str) -> f64 {
    exposition
        .lines()
        .filter(|l| l.starts_with(name) && !l.starts_with('#'))
        .filter(|l| l[name.len()..].starts_with(['{', ' ']))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}
