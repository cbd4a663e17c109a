//! A service's local days `[from, to)` as a filter on a raw table's `occurred_at`: what the
//! exports read when they need more than the daily rollups keep (answer counts per point,
//! volumes per stage). Coarse bounds a day either side come first, so ClickHouse prunes
//! partitions before it converts each row's time to the service's zone.

use chrono::NaiveDate;
use chrono_tz::Tz;
use clickhouse::query::Query;

#[derive(Debug, Clone, Copy)]
pub struct LocalDays<'a> {
    pub service_id: &'a str,
    pub zone: Tz,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl LocalDays<'_> {
    /// The condition; its placeholders are bound by [`LocalDays::bind`], in this order.
    pub(crate) const SQL: &'static str = "service_id = ? \
         AND occurred_at >= toDateTime(toDate(?)) - 86400 \
         AND occurred_at < toDateTime(toDate(?)) + 86400 \
         AND toDate(occurred_at, ?) >= toDate(?) AND toDate(occurred_at, ?) < toDate(?)";

    pub(crate) fn bind(&self, query: Query) -> Query {
        let (from, to) = (self.from.to_string(), self.to.to_string());
        let zone = self.zone.name();
        query
            .bind(self.service_id)
            .bind(from.as_str())
            .bind(to.as_str())
            .bind(zone)
            .bind(from.as_str())
            .bind(zone)
            .bind(to.as_str())
    }
}
