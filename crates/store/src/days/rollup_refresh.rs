//! The days of one service being recomputed by a rollup refresh, and the version their
//! rows carry (the rollups are ReplacingMergeTree tables keyed by day: the greatest
//! version of a key wins).

use civicpulse_core::Service;
use clickhouse::query::Query;
use clickhouse::Client;

pub struct DaySlice<'a> {
    pub service: &'a Service,
    /// Local days, `YYYY-MM-DD`, ascending.
    pub days: &'a [String],
    pub version: u64,
}

impl DaySlice<'_> {
    pub(crate) fn zone(&self) -> &str {
        self.service.time_zone.name()
    }

    /// The service's first standard, which the rollups link responses to.
    pub(crate) fn policy(&self) -> &str {
        self.service.sla.first().map_or("", |p| p.id.as_str())
    }

    /// The condition "a row of this service on these days", for raw tables with
    /// `occurred_at`; its placeholders are bound by `bind_on_days`, in this order.
    ///
    /// Before the exact day test come bounds that cover the days in any time zone (a day
    /// either side), so that ClickHouse prunes partitions and key ranges first. The
    /// `toDate(occurred_at)` terms repeat the sorting key's own expression: 18.16 prunes
    /// by them under FINAL, where it does not derive them from `occurred_at`. The bounds'
    /// days are `YYYY-MM-DD` strings ClickHouse itself produced.
    pub(crate) fn on_days(&self) -> String {
        let first = self.days.first().cloned().unwrap_or_default();
        let last = self.days.last().cloned().unwrap_or_default();
        format!(
            "service_id = ? \
             AND occurred_at >= toDateTime(toDate('{first}')) - 86400 \
             AND occurred_at < toDateTime(toDate('{last}')) + 2 * 86400 \
             AND toDate(occurred_at) >= toDate('{first}') - 1 AND toDate(occurred_at) <= toDate('{last}') + 1 \
             AND has(?, toString(toDate(occurred_at, ?)))"
        )
    }

    pub(crate) fn bind_on_days(&self, query: Query) -> Query {
        query
            .bind(&self.service.id)
            .bind(self.days)
            .bind(self.zone())
    }

    /// Keys of the recomputed days that this run did not write (their rows vanished, e.g.
    /// a response whose case moved from open to met) are overwritten with zeros.
    pub(crate) async fn zero_vanished(
        &self,
        client: &Client,
        table: &str,
        keys: &str,
    ) -> Result<(), clickhouse::error::Error> {
        let sql = format!(
            "INSERT INTO {table} (service_id, day, {keys}, version) \
             SELECT service_id, day, {keys}, ? FROM {table} FINAL \
             WHERE service_id = ? AND has(?, toString(day)) AND version < ?"
        );
        client
            .query(&sql)
            .bind(self.version)
            .bind(&self.service.id)
            .bind(self.days)
            .bind(self.version)
            .execute()
            .await
    }
}
