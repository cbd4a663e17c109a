//! `matrix_sla_daily`: closed cases by service, local day of closing, breakdown group and
//! elapsed days — met and breached counts, so compliance and percentiles follow.

use civicpulse_core::sla::Status;
use clickhouse::{Client, Row};
use serde::Deserialize;

use super::{sla_cases, Engine, Table};
use crate::days::DayRange;
use crate::days::DaySlice;

pub const NAME: &str = "matrix_sla_daily";

/// Sharded by `service_id`: per-service state, read and rewritten a service at a time.
pub const TABLE: Table = Table {
    name: NAME,
    shard_key: "cityHash64(service_id)",
    engine: Engine::ReplacingMergeTree { version: "version" },
    views: &[],
};

/// Recomputes the slice's days from the stored case evaluations.
pub async fn refresh(
    client: &Client,
    slice: &DaySlice<'_>,
) -> Result<(), clickhouse::error::Error> {
    let sql = format!(
        "INSERT INTO {NAME} \
         SELECT service_id, day, grp.1 AS group_kind, grp.2 AS group_value, elapsed_days, \
           countIf(status = '{met}'), countIf(status = '{breached}'), ? \
         FROM ( \
           SELECT service_id, toDate(assumeNotNull(stopped_at), ?) AS day, elapsed_days, status, \
             arrayJoin([('all', ''), ('channel', channel), ('region', region)]) AS grp \
           FROM {sla_cases} FINAL \
           WHERE service_id = ? AND policy = ? AND status IN ({closed}) AND isNotNull(stopped_at) \
             AND has(?, toString(toDate(assumeNotNull(stopped_at), ?)))) \
         GROUP BY service_id, day, group_kind, group_value, elapsed_days",
        sla_cases = sla_cases::NAME,
        met = Status::Met.as_str(),
        breached = Status::Breached.as_str(),
        closed = Status::sql_list(&Status::CLOSED),
    );
    client
        .query(&sql)
        .bind(slice.version)
        .bind(slice.zone())
        .bind(&slice.service.id)
        .bind(slice.policy())
        .bind(slice.days)
        .bind(slice.zone())
        .execute()
        .await?;
    slice
        .zero_vanished(client, NAME, "group_kind, group_value, elapsed_days")
        .await
}

/// A bucket's closed cases for one group and number of elapsed days.
#[derive(Clone, Debug, Row, Deserialize)]
pub struct ClosedCases {
    pub service_id: String,
    pub bucket: u16,
    pub group_value: String,
    pub elapsed_days: i32,
    pub met: u64,
    pub breached: u64,
}

pub async fn closed_cases(
    client: &Client,
    range: &DayRange<'_>,
) -> Result<Vec<ClosedCases>, clickhouse::error::Error> {
    let sql = format!(
        "SELECT service_id, toUInt16({bucket}) AS bucket, group_value, elapsed_days, sum(met), sum(breached) \
         FROM {NAME} FINAL WHERE {filter} \
         GROUP BY service_id, bucket, group_value, elapsed_days",
        bucket = range.bucket.sql(),
        filter = range.filter("(?)"),
    );
    range.bind(client.query(&sql), true).fetch_all().await
}
