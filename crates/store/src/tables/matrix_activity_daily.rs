//! `matrix_activity_daily`: transactions, surveys offered, digital transactions and case
//! steps by service, local day and breakdown group.

use civicpulse_core::event::{Channel, MilestoneKind, Outcome};
use civicpulse_core::EventKind;
use clickhouse::{Client, Row};
use serde::Deserialize;

use super::{milestones, offered, superseded_events, Engine, Table};
use crate::days::DayRange;
use crate::days::DaySlice;

pub const NAME: &str = "matrix_activity_daily";

/// Sharded by `service_id`: per-service state, read and rewritten a service at a time.
pub const TABLE: Table = Table {
    name: NAME,
    shard_key: "cityHash64(service_id)",
    engine: Engine::ReplacingMergeTree { version: "version" },
    views: &[],
};

/// The channels counted as digital, as a SQL list.
fn digital_channels() -> String {
    Channel::ALL
        .iter()
        .filter(|c| c.is_digital())
        .map(|c| format!("'{}'", c.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Recomputes the slice's days from the deduplicated transactions and milestones.
pub async fn refresh(
    client: &Client,
    slice: &DaySlice<'_>,
) -> Result<(), clickhouse::error::Error> {
    let on_days = slice.on_days();
    let sql = format!(
        "INSERT INTO {NAME} \
         SELECT service_id, day, grp.1 AS group_kind, grp.2 AS group_value, \
           sum(transactions), sum(surveys_offered), sum(digital), sum(received), sum(decided), sum(error_or_rework), ? \
         FROM ( \
           SELECT *, arrayJoin(if(has_region = 1, \
               [('all', ''), ('channel', channel), ('region', region)], \
               [('all', ''), ('channel', channel)])) AS grp \
           FROM ( \
             SELECT service_id, toDate(occurred_at, ?) AS day, channel, materialize('') AS region, \
               materialize(toUInt8(0)) AS has_region, materialize(toUInt64(1)) AS transactions, \
               toUInt64(survey_offered) AS surveys_offered, toUInt64(channel IN ({digital})) AS digital, \
               materialize(toUInt64(0)) AS received, materialize(toUInt64(0)) AS decided, \
               materialize(toUInt64(0)) AS error_or_rework \
             FROM {offered} FINAL WHERE {on_days} AND {live_offered} \
             UNION ALL \
             SELECT service_id, toDate(occurred_at, ?) AS day, channel, region, materialize(toUInt8(1)) AS has_region, \
               materialize(toUInt64(0)), materialize(toUInt64(0)), materialize(toUInt64(0)), \
               toUInt64(milestone = '{received}'), toUInt64(milestone = '{decided}'), \
               toUInt64(milestone = '{decided}' AND outcome IN ('{error}', '{rework}')) \
             FROM {milestones} FINAL WHERE {on_days} AND {live_milestones})) \
         GROUP BY service_id, day, group_kind, group_value",
        digital = digital_channels(),
        offered = offered::NAME,
        milestones = milestones::NAME,
        received = MilestoneKind::Received.as_str(),
        decided = MilestoneKind::Decided.as_str(),
        error = Outcome::Error.as_str(),
        rework = Outcome::Rework.as_str(),
        live_offered = superseded_events::live_rows(EventKind::Offered),
        live_milestones = superseded_events::live_rows(EventKind::Milestone),
    );
    let query = client.query(&sql).bind(slice.version).bind(slice.zone());
    let query = slice.bind_on_days(query).bind(slice.zone());
    slice.bind_on_days(query).execute().await?;
    slice
        .zero_vanished(client, NAME, "group_kind, group_value")
        .await
}

/// A bucket's activity for one group.
#[derive(Clone, Debug, Row, Deserialize)]
pub struct ActivitySums {
    pub service_id: String,
    pub bucket: u16,
    pub group_value: String,
    /// transactions, surveys offered, digital, received, decided, error or rework.
    pub sums: Vec<u64>,
}

pub async fn activity_sums(
    client: &Client,
    range: &DayRange<'_>,
) -> Result<Vec<ActivitySums>, clickhouse::error::Error> {
    let sql = format!(
        "SELECT service_id, toUInt16({bucket}) AS bucket, group_value, \
           [sum(transactions), sum(surveys_offered), sum(digital_transactions), sum(cases_received), \
            sum(cases_decided), sum(decisions_error_or_rework)] \
         FROM {NAME} FINAL WHERE {filter} \
         GROUP BY service_id, bucket, group_value",
        bucket = range.bucket.sql(),
        filter = range.filter("(?)"),
    );
    range.bind(client.query(&sql), true).fetch_all().await
}
